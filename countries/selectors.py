"""Reads of the whitelist: now, and as it stood at any moment."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from countries.models import Country, WhitelistChange, WhitelistRevision


def eligible_countries() -> QuerySet[Country]:
    return Country.objects.filter(eligible=True)


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
        status=WhitelistRevision.Status.APPLIED, applied_at__isnull=False
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
    revisions = WhitelistRevision.objects.filter(status=WhitelistRevision.Status.APPLIED)
    if at is not None:
        revisions = revisions.filter(applied_at__lte=at)
    return revisions.order_by("-applied_at", "-reference").first()
