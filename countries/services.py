"""Every write to countries and the whitelist. Each function is one transaction and names its user.

A country's eligibility changes only by applying a revision; the change reason of each country's
history record is the revision's reference and title, so an auditor can trace every entry and
removal to its decision. Applying a revision also acts on the active licences and the pending
applications to the countries it removes, in the same transaction; a revision approved in the
registry and one recorded from the past (the seed) take the same path, :func:`_apply`.

Those rows belong to ``licenses``: the revision reaches them only through its two services for
removed destinations (:func:`licenses.services.lock_for_destination_removal` and
:func:`licenses.services.apply_destination_removal`), and writes nothing there itself.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from countries import standing_cache
from countries.models import Country, RevisionStatus, WhitelistChange, WhitelistRevision
from licenses.services import (
    DestinationRemoval,
    apply_destination_removal,
    lock_for_destination_removal,
)
from notifications import events as notice_types
from notifications.services import record_event
from registry.audit import history
from registry.errors import FourEyesViolation
from registry.references import next_reference
from registry.transitions import check_transition


@transaction.atomic
def register_countries(
    *, countries: Iterable[dict], by, reason: str, at: datetime.datetime | None = None
) -> int:
    """Adds the ISO 3166-1 countries that are missing; existing ones are left alone.

    Returns how many were added. New countries start off the whitelist.
    """
    existing = set(Country.objects.values_list("code", flat=True))
    added = 0
    for entry in countries:
        if entry["code"] in existing:
            continue
        country = Country(code=entry["code"], alpha3=entry["alpha3"], name=entry["name"])
        history.save(country, by=by, reason=reason, at=at)
        added += 1
    return added


def revision_reason(revision: WhitelistRevision) -> str:
    """The change reason written on each country a revision touches."""
    return f"{revision.reference}: {revision.title}"


@dataclass
class _Rows:
    """Every row a revision writes, locked before its first history record.

    A history record locks the audit chain's head until the transaction ends. An official's
    service locks its licence (or application, or country) and then writes history; had the
    revision taken the head first and then waited for that row, each would wait for the other.
    So rows first, in the registry's order (country, application, licence), and the head last.
    """

    targets: dict[int, str]
    countries: list[Country]
    # The pending applications and active licences to the removed countries.
    removal: DestinationRemoval

    @property
    def removed(self) -> list[int]:
        return _removed(self.targets)


def _removed(targets: dict[int, str]) -> list[int]:
    return [pk for pk, action in targets.items() if action == WhitelistChange.Action.REMOVE]


def _lock_rows(targets: dict[int, str], *, at: datetime.datetime | None = None) -> _Rows:
    """Locks the countries ``targets`` changes (``{country id: action}``), then the pending
    applications and the active licences to the removed ones, each by id."""
    targets = dict(sorted(targets.items()))
    countries = list(
        Country.objects.select_for_update().filter(pk__in=list(targets)).order_by("pk")
    )
    removal = lock_for_destination_removal(country_ids=_removed(targets), at=at)
    return _Rows(targets, countries, removal)


def _targets(revision: WhitelistRevision) -> dict[int, str]:
    return dict(revision.changes.values_list("country_id", "action"))


def _write_country_changes(
    revision: WhitelistRevision, rows: _Rows, *, by, at: datetime.datetime | None = None
) -> None:
    """Sets ``eligible`` on each country the revision adds or removes, one history record each.

    A country already as the revision wants it (another revision got there first) is left alone.
    """
    changed = []
    for country in rows.countries:
        eligible = rows.targets[country.pk] == WhitelistChange.Action.ADD
        if country.eligible != eligible:
            country.eligible = eligible
            changed.append(country)
    history.save_many(changed, fields=["eligible"], by=by, reason=revision_reason(revision), at=at)


@dataclass(frozen=True)
class ApplyOutcome:
    countries_removed: int
    licences_changed: int
    applications_refused: int


def _apply(
    revision: WhitelistRevision, rows: _Rows, *, by, at: datetime.datetime | None = None
) -> ApplyOutcome:
    """The one path that puts a revision into force, live or recorded from the past.

    ``rows`` were locked by :func:`_lock_rows` before the caller's first history record.
    Countries first, then licences, then pending applications, so the re-screening sees the
    licences as the revision left them. The caller's transaction makes it all or nothing.
    """
    transaction.on_commit(standing_cache.refresh_standings, robust=True)
    _write_country_changes(revision, rows, by=by, at=at)
    return _apply_removal(revision, rows, by=by, at=at)


def _apply_removal(
    revision: WhitelistRevision, rows: _Rows, *, by, at: datetime.datetime | None = None
) -> ApplyOutcome:
    """Has ``licenses`` treat the licences and re-screen the applications to the removed
    countries, which it sees as the revision left them."""
    outcome = apply_destination_removal(
        removal=rows.removal,
        revision=revision,
        destinations=rows.countries,
        by=by,
        reason=revision_reason(revision),
        at=at,
    )
    return ApplyOutcome(len(rows.removed), outcome.licences_changed, outcome.applications_refused)


@transaction.atomic
def reapply_past_revision(*, revision: WhitelistRevision, by) -> ApplyOutcome:
    """Gives records entered after a past revision, but dated before it, what it did to them.

    The seed's demo enters licences and applications dated from 2019; when the list was seeded
    first, the cut of 2021 was already on record. This runs the cut's treatment of licences and
    its re-screening again, dated when it took effect, and finds nothing to do the second time.
    """
    removals = dict.fromkeys(_removed(_targets(revision)), WhitelistChange.Action.REMOVE)
    at = revision.applied_at
    rows = _lock_rows(removals, at=at)
    return _apply_removal(revision, rows, by=by, at=at)


@transaction.atomic
def record_past_revision(
    *,
    reference: str,
    title: str,
    reason: str,
    members: Iterable[str],
    applied_at: datetime.datetime,
    licence_treatment: str = WhitelistRevision.LicenceTreatment.SUSPEND,
    by,
) -> WhitelistRevision:
    """Records a whitelist decision taken before the registry existed, dated when it took effect.

    The revision replaces the whole list with ``members``: countries not in it are removed. It
    has no proposer (it was not proposed in the registry); ``by`` (the system actor) approves and
    applies it, and every record is dated ``applied_at``, which only the seed may do.
    """
    members = set(members)
    current = set(Country.objects.filter(eligible=True).values_list("code", flat=True))
    countries = {c.code: c for c in Country.objects.filter(code__in=members | current)}
    unknown = members - set(countries)
    if unknown:
        raise ValueError(f"{reference}: unknown country codes {sorted(unknown)}")
    Action = WhitelistChange.Action
    targets = {countries[code].pk: Action.ADD for code in members - current}
    targets.update({countries[code].pk: Action.REMOVE for code in current - members})
    rows = _lock_rows(targets, at=applied_at)

    note = "Recorded from the published decision; dated when it took effect."
    revision = WhitelistRevision(
        reference=reference,
        title=title,
        reason=reason,
        licence_treatment=licence_treatment,
        status=RevisionStatus.APPLIED,
        approved_by=by,
        decided_at=applied_at,
        decision_note=note,
        applied_at=applied_at,
    )
    history.save(revision, by=by, reason=f"{reference}: {note}", at=applied_at)
    for code in sorted(members - current):
        change = WhitelistChange(revision=revision, country=countries[code], action=Action.ADD)
        history.save(change, by=by, reason=revision_reason(revision), at=applied_at)
    for code in sorted(current - members):
        change = WhitelistChange(revision=revision, country=countries[code], action=Action.REMOVE)
        history.save(change, by=by, reason=revision_reason(revision), at=applied_at)
    _apply(revision, rows, by=by, at=applied_at)
    return revision


# --- Revisions proposed and decided in the registry ---------------------------------------------

REVISION_TRANSITIONS: dict[str, set[str]] = {
    RevisionStatus.DRAFT: {RevisionStatus.PROPOSED},
    RevisionStatus.PROPOSED: {RevisionStatus.APPLIED, RevisionStatus.REJECTED},
    RevisionStatus.APPLIED: set(),
    RevisionStatus.REJECTED: set(),
}


def _codes(codes: Iterable[str]) -> list[str]:
    return sorted({str(code).strip().upper() for code in codes if str(code).strip()})


def _next_revision_reference(year: int) -> str:
    """``REV-YYYY-NNN``: the gap-free counter, written with three digits."""
    series, number = next_reference("REV", year=year).rsplit("-", 1)
    return f"{series}-{int(number):03d}"


@transaction.atomic
def propose_revision(
    *,
    by,
    title: str,
    reason: str,
    add: Iterable[str],
    remove: Iterable[str],
    licence_treatment: str,
) -> WhitelistRevision:
    """Records a proposed change of the whitelist, to be approved by another senior official.

    Countries are given by alpha-2 code. Each must exist; an added one must be off the list now,
    a removed one on it.
    """
    add, remove = _codes(add), _codes(remove)
    # Locked before the first history record: each change's row refers to its country, which
    # waits for any service holding that country, and must not wait holding the chain's head.
    countries = {
        c.code: c
        for c in Country.objects.select_for_update().filter(code__in=add + remove).order_by("pk")
    }
    errors: dict[str, list[str]] = {}
    for field, codes, eligible_now, wrong in (
        ("add", add, True, "already on the whitelist"),
        ("remove", remove, False, "not on the whitelist"),
    ):
        unknown = [code for code in codes if code not in countries]
        if unknown:
            errors.setdefault(field, []).append(f"Unknown country codes: {', '.join(unknown)}.")
        already = [
            code for code in codes if code in countries and countries[code].eligible == eligible_now
        ]
        if already:
            errors.setdefault(field, []).append(f"{wrong.capitalize()}: {', '.join(already)}.")
    both = sorted(set(add) & set(remove))
    if both:
        errors.setdefault("remove", []).append(f"Both added and removed: {', '.join(both)}.")
    if not add and not remove:
        errors[NON_FIELD_ERRORS] = ["A revision must add or remove at least one country."]

    now = timezone.now()
    revision = WhitelistRevision(
        title=title,
        reason=reason,
        licence_treatment=licence_treatment,
        status=RevisionStatus.PROPOSED,
        proposed_by=by,
        proposed_at=now,
    )
    try:
        revision.full_clean(exclude=["reference"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    revision.reference = _next_revision_reference(now.year)
    history.save(revision, by=by, reason=f"{revision.reference}: proposed")
    Action = WhitelistChange.Action
    for action, codes in ((Action.ADD, add), (Action.REMOVE, remove)):
        for code in codes:
            change = WhitelistChange(revision=revision, country=countries[code], action=action)
            history.save(change, by=by, reason=f"{revision.reference}: proposed")
    # Senior officials are told it awaits their approval.
    record_event(
        type=notice_types.REVISION_PROPOSED,
        object_type="revision",
        reference=revision.reference,
        state={"status": revision.status, "title": revision.title, "add": add, "remove": remove},
    )
    return revision


def _decide(revision: WhitelistRevision, *, by, to: str) -> WhitelistRevision:
    # The faces check the permission too; the service refuses on its own, as this decision
    # changes the list for every vendor.
    if not by.has_perm("countries.approve_whitelistrevision"):
        raise PermissionDenied("Only a senior official may approve or reject a revision.")
    revision = WhitelistRevision.objects.select_for_update().get(pk=revision.pk)
    check_transition(REVISION_TRANSITIONS, revision, to, what=f"revision {revision.reference}")
    if revision.proposed_by_id is not None and revision.proposed_by_id == by.pk:
        raise FourEyesViolation(
            f"You proposed {revision.reference}: another senior official must decide it."
        )
    return revision


@transaction.atomic
def approve_revision(*, revision: WhitelistRevision, by, note: str = "") -> WhitelistRevision:
    """Approves a proposed revision and applies it at once, all or nothing.

    Every country it touches, every active licence to a removed country (suspended, or left to
    run to expiry with no renewal) and every pending application to one (screened again) gets a
    history record naming ``by`` and the revision.
    """
    revision = _decide(revision, by=by, to=RevisionStatus.APPLIED)
    rows = _lock_rows(_targets(revision))
    now = timezone.now()
    revision.status = RevisionStatus.APPLIED
    revision.approved_by = by
    revision.decided_at = revision.applied_at = now
    revision.decision_note = (note or "").strip()
    history.save(revision, by=by, reason=f"{revision.reference}: approved and applied")
    _apply(revision, rows, by=by)
    return revision


@transaction.atomic
def reject_revision(*, revision: WhitelistRevision, by, note: str) -> WhitelistRevision:
    if not note or not note.strip():
        raise ValidationError({"note": "Say why the revision is rejected."})
    revision = _decide(revision, by=by, to=RevisionStatus.REJECTED)
    revision.status = RevisionStatus.REJECTED
    revision.approved_by = by
    revision.decided_at = timezone.now()
    revision.decision_note = note.strip()
    history.save(revision, by=by, reason=f"{revision.reference}: rejected")
    # The proposer is told, with the reason.
    record_event(
        type=notice_types.REVISION_REJECTED,
        object_type="revision",
        reference=revision.reference,
        state={"status": revision.status, "title": revision.title, "note": revision.decision_note},
        recipient_id=revision.proposed_by_id,
    )
    return revision
