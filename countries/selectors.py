"""Reads of the whitelist: now, and as it stood at any moment."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from countries.models import Country, WhitelistChange, WhitelistRevision
from licenses.models import Licence, LicenceApplication


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


# --- What a revision touches --------------------------------------------------------------------


def licences_affected(removed_country_ids: Iterable[int], *, on: datetime.date) -> QuerySet:
    """The licences a revision removing these countries acts on: active, still valid on ``on``."""

    return Licence.objects.filter(
        status=Licence.Status.ACTIVE,
        application__destination_id__in=list(removed_country_ids),
        valid_until__gte=on,
    ).order_by("pk")


def applications_affected(removed_country_ids: Iterable[int]) -> QuerySet:
    """The pending applications to these countries, which a revision removing them re-screens."""
    return LicenceApplication.objects.filter(
        status__in=LicenceApplication.PENDING_STATUSES,
        destination_id__in=list(removed_country_ids),
    ).order_by("pk")


@dataclass(frozen=True)
class RevisionImpact:
    """What a revision would touch if it were applied now, for the senior official deciding it."""

    revision: WhitelistRevision
    added: list[Country]
    removed: list[Country]
    # Active licences to removed countries, with ``application__vendor`` and the destination.
    licences: list
    # Pending applications to removed countries, with their vendor and destination.
    applications: list
    vendors: list

    @property
    def licence_count(self) -> int:
        return len(self.licences)

    @property
    def application_count(self) -> int:
        return len(self.applications)

    @property
    def vendor_count(self) -> int:
        return len(self.vendors)

    @property
    def suspends_licences(self) -> bool:
        return self.revision.licence_treatment == WhitelistRevision.LicenceTreatment.SUSPEND


def revision_impact(revision: WhitelistRevision) -> RevisionImpact:
    """Which active licences and pending applications, of which vendors, the revision would touch.

    Three queries whatever the numbers: the revision's changes, the licences, the applications.
    """
    added, removed = [], []
    for change in revision.changes.select_related("country").order_by("country__name"):
        (added if change.action == WhitelistChange.Action.ADD else removed).append(change.country)
    removed_ids = [country.pk for country in removed]
    licences = list(
        licences_affected(removed_ids, on=timezone.localdate()).select_related(
            "application__vendor", "application__destination", "application__product"
        )
    )
    applications = list(
        applications_affected(removed_ids).select_related("vendor", "destination", "product")
    )
    vendors = {licence.application.vendor for licence in licences}
    vendors |= {application.vendor for application in applications}
    return RevisionImpact(
        revision=revision,
        added=added,
        removed=removed,
        licences=licences,
        applications=applications,
        vendors=sorted(vendors, key=lambda vendor: vendor.name),
    )
