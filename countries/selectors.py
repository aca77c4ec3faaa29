"""Reads of the whitelist: now, and as it stood at any moment."""

import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from countries.models import Country, WhitelistRevision


def eligible_countries() -> QuerySet[Country]:
    return Country.objects.filter(eligible=True)


def whitelist_as_of(at: datetime.datetime) -> QuerySet[Country]:
    """The countries that were on the whitelist at ``at``, from their history records."""
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
