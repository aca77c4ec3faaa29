"""Every write to countries and the whitelist. Each function is one transaction and names its user.

A country's eligibility changes only by applying a revision; the change reason of each country's
history record is the revision's reference and title, so an auditor can trace every entry and
removal to its decision.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction

from countries.models import Country, WhitelistChange, WhitelistRevision
from registry import history


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


def _write_country_changes(
    revision: WhitelistRevision, *, by, at: datetime.datetime | None = None
) -> None:
    """Sets ``eligible`` on each country the revision adds or removes, one history record each."""
    reason = revision_reason(revision)
    for change in revision.changes.select_related("country").select_for_update(of=("self",)):
        country = change.country
        country.eligible = change.action == WhitelistChange.Action.ADD
        history.save(country, by=by, reason=reason, at=at, update_fields=["eligible"])


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

    note = "Recorded from the published decision; dated when it took effect."
    revision = WhitelistRevision(
        reference=reference,
        title=title,
        reason=reason,
        licence_treatment=licence_treatment,
        status=WhitelistRevision.Status.APPLIED,
        approved_by=by,
        decided_at=applied_at,
        decision_note=note,
        applied_at=applied_at,
    )
    history.save(revision, by=by, reason=f"{reference}: {note}", at=applied_at)
    for code in sorted(members - current):
        change = WhitelistChange(
            revision=revision,
            country=countries[code],
            action=WhitelistChange.Action.ADD,
        )
        history.save(change, by=by, reason=revision_reason(revision), at=applied_at)
    for code in sorted(current - members):
        change = WhitelistChange(
            revision=revision,
            country=countries[code],
            action=WhitelistChange.Action.REMOVE,
        )
        history.save(change, by=by, reason=revision_reason(revision), at=applied_at)
    _write_country_changes(revision, by=by, at=applied_at)
    return revision
