"""Reads of the whitelist: now, and as it stood at any moment."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When

from countries.models import Country, RevisionStatus, WhitelistChange, WhitelistRevision


def eligible_countries() -> QuerySet[Country]:
    return Country.objects.filter(eligible=True)


def with_standing(queryset: QuerySet[Country]) -> QuerySet[Country]:
    """Adds when each country's standing began and by which revision, from its last change.

    Derived from the applied revisions rather than stored on the country, so the two can never
    disagree.
    """
    last_change = WhitelistChange.objects.filter(
        country=OuterRef("pk"), revision__status=RevisionStatus.APPLIED
    ).order_by("-revision__applied_at", "-revision__reference")
    return queryset.annotate(
        standing_since=Subquery(last_change.values("revision__applied_at")[:1]),
        revision=Subquery(last_change.values("revision__reference")[:1]),
    )


_STANDING_FIELDS = ("code", "alpha3", "name", "eligible", "standing_since", "revision")


def _split_since(row: dict) -> dict:
    """The moment the standing began, as ``eligible_since`` for a country on the list and as
    ``ineligible_since`` for one off it: ``eligible_since`` never dates a country's removal."""
    since = row.pop("standing_since")
    row["eligible_since"] = since if row["eligible"] else None
    row["ineligible_since"] = None if row["eligible"] else since
    return row


def standings(queryset: QuerySet[Country]) -> dict[str, dict]:
    """``{code: row}`` of each country's names and standing, as the API and its cache give them:
    ``eligible_since`` (on the list) or ``ineligible_since`` (removed), the other null."""
    return {
        row["code"]: _split_since(row) for row in with_standing(queryset).values(*_STANDING_FIELDS)
    }


@dataclass(frozen=True)
class WhitelistStep:
    """One applied revision and the list (country ids) it left in force."""

    revision: WhitelistRevision
    members: frozenset[int]


def whitelist_steps(until: datetime.datetime | None = None) -> list[WhitelistStep]:
    """Replays the applied revisions in the order they took effect, with the list after each.

    A country's eligibility changes only when a revision is applied, so the list at any moment is
    the replay of the revisions applied by then: two queries over a few hundred rows, however long
    the countries' history grows. Revisions applied at the same instant are taken in the order
    they were recorded (by id). ``verify_audit`` checks that this agrees with the countries' own
    history.
    """
    revisions = WhitelistRevision.objects.filter(
        status=RevisionStatus.APPLIED, applied_at__isnull=False
    )
    if until is not None:
        revisions = revisions.filter(applied_at__lte=until)
    revisions = list(revisions.order_by("applied_at", "pk"))
    changes: dict[int, list[tuple[int, str]]] = {}
    for revision_id, country_id, action in WhitelistChange.objects.filter(
        revision__in=[r.pk for r in revisions]
    ).values_list("revision_id", "country_id", "action"):
        changes.setdefault(revision_id, []).append((country_id, action))

    members: set[int] = set()
    steps = []
    for revision in revisions:
        for country_id, action in changes.get(revision.pk, []):
            if action == WhitelistChange.Action.ADD:
                members.add(country_id)
            else:
                members.discard(country_id)
        steps.append(WhitelistStep(revision, frozenset(members)))
    return steps


def whitelist_as_of(at: datetime.datetime) -> QuerySet[Country]:
    """The countries that were on the whitelist at ``at`` (inclusive), ordered by name."""
    steps = whitelist_steps(until=at)
    members = steps[-1].members if steps else frozenset()
    return Country.objects.filter(pk__in=sorted(members)).order_by("name")


def whitelist_as_of_from_history(at: datetime.datetime) -> QuerySet[Country]:
    """The same list, read from each country's history records instead of the revisions.

    Slower on a long history (one look-up per country); kept as the independent witness that
    ``verify_audit`` compares with :func:`whitelist_as_of`.
    """
    history = Country.history.model.objects.filter(id=OuterRef("pk"), history_date__lte=at)
    return (
        Country.objects.annotate(
            eligible_then=Subquery(
                history.order_by("-history_date", "-history_id").values("eligible")[:1]
            )
        )
        .filter(eligible_then=True)
        .order_by("name")
    )


def revision_in_force(at: datetime.datetime | None = None) -> WhitelistRevision | None:
    """The last revision applied at or before ``at`` (now when omitted)."""
    revisions = WhitelistRevision.objects.filter(status=RevisionStatus.APPLIED)
    if at is not None:
        revisions = revisions.filter(applied_at__lte=at)
    return revisions.order_by("-applied_at", "-reference").first()


# --- Lists for the web pages --------------------------------------------------------------------


def country_list(*, q: str = "", eligible: bool | None = None) -> QuerySet[Country]:
    """Countries matching a name or code search, optionally only those on or off the list."""
    countries = Country.objects.all()
    if q:
        countries = countries.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(alpha3__iexact=q))
    if eligible is not None:
        countries = countries.filter(eligible=eligible)
    return countries.order_by("name")


def revision_list() -> QuerySet[WhitelistRevision]:
    """Every revision with its counts of countries added and removed, proposed ones first."""
    return (
        WhitelistRevision.objects.select_related("proposed_by", "approved_by")
        .annotate(
            added_count=Count("changes", filter=Q(changes__action=WhitelistChange.Action.ADD)),
            removed_count=Count("changes", filter=Q(changes__action=WhitelistChange.Action.REMOVE)),
            is_waiting=Case(
                When(status=RevisionStatus.PROPOSED, then=Value(0)),
                default=Value(1),
            ),
        )
        .order_by("is_waiting", F("applied_at").desc(nulls_first=True), "-reference")
    )


def revisions_waiting(*, for_user) -> QuerySet[WhitelistRevision]:
    """Proposed revisions: those a senior official may decide, or the official's own."""
    waiting = revision_list().filter(status=RevisionStatus.PROPOSED)
    if for_user.has_perm("countries.approve_whitelistrevision"):
        return waiting.exclude(proposed_by=for_user)
    return waiting.filter(proposed_by=for_user)


def revision_changes(revision: WhitelistRevision) -> dict[str, list[Country]]:
    """The countries a revision adds and removes, by name."""
    changes = revision.changes.select_related("country").order_by("country__name")
    result: dict[str, list[Country]] = {"add": [], "remove": []}
    for change in changes:
        result[change.action].append(change.country)
    return result
