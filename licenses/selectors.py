"""Reads of vendors, applications and licences that are more than a one-line query.

What a whitelist revision does to licensing is read here too: :func:`revision_impact`, the
preview of the rows a revision would touch (the same rows its application locks, by
:func:`affected_by_removal`), and :func:`licences_touched_by` / :func:`applications_touched_by`,
what it did once applied.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from countries.models import Country, WhitelistChange, WhitelistRevision
from countries.selectors import revision_in_force, whitelist_as_of
from documents import selectors as documents_selectors
from licenses.approvals import SUBMISSION, DeclarationFacts, PartyScreeningFacts, ScreeningFacts
from licenses.models import (
    REPORTING_STATUSES,
    ApplicationStatus,
    DeliveryReport,
    Licence,
    LicenceApplication,
    LicenceStatus,
    LicenceType,
    Party,
    PartyRole,
    Product,
    Vendor,
)
from registry import roles
from registry.locks import for_share
from screening import selectors as screening_selectors
from screening.selectors import NewMatch, PartyRef


def active_marketing_licences(
    keys: Iterable[tuple[int, int, int]],
) -> dict[tuple[int, int, int], str]:
    """``{(vendor_id, product_id, destination_id): number}`` of the active marketing licences
    for these keys (and perhaps a few more), in one query.

    Narrowed by vendor, product and destination alike: a vendor may hold a million licences,
    and a revision screening its pending applications again needs only the few that match.
    """
    keys = set(keys)
    if not keys:
        return {}
    vendors, products, destinations = (set(column) for column in zip(*keys, strict=True))
    licences = Licence.objects.filter(
        status=LicenceStatus.ACTIVE,
        application__licence_type=LicenceType.MARKETING,
        application__vendor_id__in=vendors,
        application__product_id__in=products,
        application__destination_id__in=destinations,
    )
    rows = licences.order_by("number").values_list(
        "application__vendor_id", "application__product_id", "application__destination_id", "number"
    )
    found: dict[tuple[int, int, int], str] = {}
    for vendor_id, product_id, destination_id, number in rows:
        found.setdefault((vendor_id, product_id, destination_id), number)
    return found


def with_end_user(applications: QuerySet[LicenceApplication]) -> QuerySet[LicenceApplication]:
    """The applications with their end-user party (``application.end_user``): one more query
    for a whole list."""
    return applications.prefetch_related(
        Prefetch(
            "parties",
            queryset=Party.objects.filter(role=PartyRole.END_USER).select_related("country"),
            to_attr="end_user_parties",
        )
    )


def _declaration_facts(document) -> DeclarationFacts | None:
    if document is None:
        return None
    return DeclarationFacts(
        template_version=document.template_version,
        review=document.review,
        signed=bool(document.signatory_name and document.signed_on),
        party_country_code=document.party.country.code,
        review_reason=document.review_reason,
    )


def declaration_facts(
    *, licence_type: str, application_ids: Iterable[int], at: datetime.datetime | None = None
) -> tuple[str | None, dict[int, DeclarationFacts]]:
    """The declaration template in force at ``at`` (now by default) and the latest declaration
    of each application's end user: two queries, none for a marketing licence."""
    if licence_type != LicenceType.EXPORT:
        return None, {}
    template = documents_selectors.template_in_force(timezone.localdate(at) if at else None)
    if template is None:
        return None, {}
    found = documents_selectors.latest_declarations(application_ids)
    return template.version, {pk: _declaration_facts(doc) for pk, doc in found.items()}


def screening_facts_and_revision(
    *,
    vendor: Vendor,
    product: Product,
    licence_type: str,
    destination: Country,
    end_user_kind: str,
    application_id: int | None = None,
    stage: str = SUBMISSION,
    at: datetime.datetime | None = None,
    lock: bool = False,
    party_screening: PartyScreeningFacts | None = None,
) -> tuple[ScreeningFacts, WhitelistRevision | None]:
    """The facts of one application, read from the database now (or as of ``at``, for the seed),
    and the revision in force they were read against.

    With ``lock`` the vendor, destination and marketing licence are re-read under shared row
    locks, in the order every service takes them (vendor, country, application, licence): a
    suspension of the vendor or the licence, or a revision removing the destination, locks them
    for update, so it waits for the decisions and submissions in flight and they wait for it,
    while submissions and decisions do not queue behind one another. The revision is read after
    the locks: one that removes the destination has then either committed (and is the one in
    force) or not started.
    """
    vendors = Vendor.objects.filter(pk=vendor.pk)
    countries = Country.objects.filter(pk=destination.pk)
    marketing = (
        Licence.objects.filter(
            status=LicenceStatus.ACTIVE,
            application__licence_type=LicenceType.MARKETING,
            application__vendor_id=vendor.pk,
            application__product_id=product.pk,
            application__destination_id=destination.pk,
        )
        .order_by("number")
        .values_list("number")[:1]
    )
    if licence_type != LicenceType.EXPORT:
        marketing = marketing.none()  # only an export licence needs one: nothing to read or lock
    if lock:
        [vendor] = for_share(vendors)
        [destination] = for_share(countries)
        if licence_type == LicenceType.EXPORT:
            marketing = for_share(marketing, of=[Licence._meta.db_table])
    else:
        vendor, destination = vendors.get(), countries.get()
    if at is None:
        eligible = destination.eligible
    else:
        eligible = whitelist_as_of(at).filter(pk=destination.pk).exists()
    revision = revision_in_force(at)
    template, declarations = declaration_facts(
        licence_type=licence_type,
        application_ids=[application_id] if application_id else [],
        at=at,
    )
    facts = ScreeningFacts(
        licence_type=licence_type,
        destination_code=destination.code,
        destination_name=destination.name,
        destination_eligible=eligible,
        vendor_id=vendor.pk,
        vendor_name=vendor.name,
        vendor_status=vendor.status,
        end_user_kind=end_user_kind,
        product_reference=product.reference,
        product_vendor_id=product.vendor_id,
        marketing_licence=next((number for (number,) in marketing), None),
        revision_reference=revision.reference if revision else None,
        declaration_template=template,
        declaration=declarations.get(application_id),
        stage=stage,
        party_screening=party_screening,
    )
    return facts, revision


def facts_for_applications(
    applications: Iterable[LicenceApplication], *, revision_reference: str | None
) -> dict[int, ScreeningFacts]:
    """The facts of many applications at once, in a few queries whatever their number.

    The applications must come with ``vendor``, ``product`` and ``destination`` selected and
    their end user prefetched (:func:`with_end_user`).
    """
    applications = list(applications)
    parties = party_screening_for([a.pk for a in applications])
    # Only an export licence needs a marketing licence before it (the rule's fact).
    marketing = active_marketing_licences(
        (a.vendor_id, a.product_id, a.destination_id)
        for a in applications
        if a.licence_type == LicenceType.EXPORT
    )
    template, declarations = declaration_facts(
        licence_type=LicenceType.EXPORT,
        application_ids=[a.pk for a in applications if a.licence_type == LicenceType.EXPORT],
    )
    return {
        a.pk: ScreeningFacts(
            licence_type=a.licence_type,
            destination_code=a.destination.code,
            destination_name=a.destination.name,
            destination_eligible=a.destination.eligible,
            vendor_id=a.vendor_id,
            vendor_name=a.vendor.name,
            vendor_status=a.vendor.status,
            end_user_kind=a.end_user.kind,
            product_reference=a.product.reference,
            product_vendor_id=a.product.vendor_id,
            marketing_licence=marketing.get((a.vendor_id, a.product_id, a.destination_id)),
            revision_reference=revision_reference,
            declaration_template=template if a.licence_type == LicenceType.EXPORT else None,
            declaration=declarations.get(a.pk),
            party_screening=parties[0].get(a.pk),
        )
        for a in applications
    }


# --- What a whitelist revision touches -----------------------------------------------------------


class AffectedRows(NamedTuple):
    applications: QuerySet[LicenceApplication]
    licences: QuerySet[Licence]


def affected_by_removal(country_ids: Iterable[int], *, on: datetime.date) -> AffectedRows:
    """The rows a revision removing these countries acts on: the pending applications to them,
    which it screens again, and the licences to them active and still valid on ``on``, each in
    id order."""
    country_ids = list(country_ids)
    applications = LicenceApplication.objects.filter(
        status__in=LicenceApplication.PENDING_STATUSES,
        destination_id__in=country_ids,
    ).order_by("pk")
    licences = Licence.objects.filter(
        status=LicenceStatus.ACTIVE,
        application__destination_id__in=country_ids,
        valid_until__gte=on,
    ).order_by("pk")
    return AffectedRows(applications, licences)


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
    affected = affected_by_removal([country.pk for country in removed], on=timezone.localdate())
    licences = list(
        affected.licences.select_related(
            "application__vendor", "application__destination", "application__product"
        )
    )
    applications = list(affected.applications.select_related("vendor", "destination", "product"))
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


# --- Lists for the web pages --------------------------------------------------------------------


def vendor_list(*, q: str = "", status: str = "") -> QuerySet[Vendor]:
    """Vendors by name, with how many applications and licences each has (one query a page)."""
    vendors = Vendor.objects.annotate(
        application_count=Count("applications", distinct=True),
        licence_count=Count("applications__licence", distinct=True),
    )
    if q:
        vendors = vendors.filter(Q(name__icontains=q) | Q(registration_number__icontains=q))
    if status:
        vendors = vendors.filter(status=status)
    return vendors.order_by("name")


QUEUE_SORTS = {
    "reference": ("reference",),
    "submitted": ("submitted_at", "reference"),
    "vendor": ("vendor__name", "reference"),
    "product": ("product__name", "reference"),
    "destination": ("destination__name", "reference"),
    "status": ("status", "reference"),
    "assignee": ("assigned_to__username", "reference"),
    "target": ("target_date", "reference"),
    "decided": ("decided_at", "reference"),
}
DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REFUSED)


def end_user_name() -> Subquery:
    """The name of an application's end-user party, as an annotation for lists and exports."""
    return Subquery(
        Party.objects.filter(application=OuterRef("pk"), role=PartyRole.END_USER).values("name")[:1]
    )


def _searched(q: str) -> Q:
    """The applications whose reference, vendor, end user or product contains ``q``.

    A condition on each row the queue's other filters leave, rather than a set of ids drawn from
    every application ever made: the vendors and the products that match are few and found once
    (PostgreSQL hashes them; trigram indexes, migration 0014, answer the end users' names), so a
    search that matches half the queue reads the queue, not the whole history of applications,
    and a sorted page stops at the rows it shows when an index gives the order.
    """
    vendors = Vendor.objects.filter(
        Q(name__icontains=q) | Q(registration_number__icontains=q)
    ).values("pk")
    products = Product.objects.filter(Q(name__icontains=q) | Q(reference__icontains=q)).values("pk")
    end_users = Party.objects.filter(
        application=OuterRef("pk"), role=PartyRole.END_USER, name__icontains=q
    )
    # PostgreSQL tries the alternatives of an OR in the order written: the hashed vendors and
    # products first, the reference's text next, the end users last, so each row stops at the
    # cheapest test that finds it (a third less time for a search that matches half the queue).
    return (
        Q(vendor__in=vendors)
        | Q(product__in=products)
        | Q(reference__icontains=q)
        | Q(Exists(end_users))
    )


def application_queue(
    *,
    statuses=None,
    all_statuses: bool = False,
    destination: str = "",
    vendor: str = "",
    q: str = "",
    assignee: str = "",
    me=None,
    submitted_from: datetime.date | None = None,
    submitted_to: datetime.date | None = None,
    sort: str = "",
) -> QuerySet[LicenceApplication]:
    """The officials' queue: by default the applications waiting for a decision, oldest first;
    decided ones newest first. One query a page whatever the filters (and one to count).

    ``destination`` is an alpha-2 code, ``vendor`` a registration number, ``assignee`` a username,
    ``"me"`` (with ``me``, the user asking) or ``"none"``; ``sort`` a key of
    :data:`QUEUE_SORTS`, with ``-`` in front for the reverse order. ``q`` searches the
    reference, the vendor, the end user and the product.
    """
    applications = with_end_user(
        LicenceApplication.objects.select_related("vendor", "product", "destination", "assigned_to")
    ).annotate(
        # Marks the approved ones whose export licence owes a delivery report: no query more.
        # A subquery, not a join: PostgreSQL asks it of the rows on the page only, after sorting
        # and cutting, instead of joining every licence to every row it sorts.
        licence_reports_overdue=Exists(
            Licence.objects.filter(
                application=OuterRef("pk"),
                next_report_due__lt=timezone.localdate(),
                status__in=REPORTING_STATUSES,
            )
        )
    )
    if not all_statuses:
        applications = applications.filter(
            status__in=statuses or LicenceApplication.PENDING_STATUSES
        )
    # Drafts are the vendor's alone until submitted.
    applications = applications.exclude(status=ApplicationStatus.DRAFT)
    if destination:
        applications = applications.filter(destination__code=destination)
    if vendor:
        applications = applications.filter(vendor__registration_number=vendor)
    if q:
        applications = applications.filter(_searched(q))
    if assignee == "none":
        applications = applications.filter(assigned_to__isnull=True)
    elif assignee == "me":
        applications = applications.filter(assigned_to=me)
    elif assignee:
        applications = applications.filter(assigned_to__username=assignee)
    if submitted_from:
        applications = applications.filter(submitted_at__date__gte=submitted_from)
    if submitted_to:
        applications = applications.filter(submitted_at__date__lte=submitted_to)
    key = sort.removeprefix("-")
    if key in QUEUE_SORTS:
        fields = QUEUE_SORTS[key]
        if sort.startswith("-"):
            return applications.order_by(*(f"-{field}" for field in fields))
        return applications.order_by(*fields)
    if statuses and set(statuses) <= set(DECIDED_STATUSES):
        return applications.order_by("-decided_at", "-reference")
    if all_statuses or statuses and not set(statuses) <= set(LicenceApplication.PENDING_STATUSES):
        return applications.order_by("-submitted_at", "-reference")
    return applications.order_by("submitted_at", "reference")


def overdue_by_official(*, today: datetime.date | None = None) -> list[tuple[str, int]]:
    """(username, or "" for unassigned cases; how many) of the cases past their target date
    with the clock running, most first. One query."""
    today = today or timezone.localdate()
    rows = (
        LicenceApplication.objects.filter(
            status__in=LicenceApplication.CLOCK_RUNNING_STATUSES, target_date__lt=today
        )
        .values_list("assigned_to__username")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return sorted(((name or "", n) for name, n in rows), key=lambda row: (-row[1], row[0]))


def overdue_count(*, today: datetime.date | None = None) -> int:
    """Cases past their target date with the clock running (the metrics' gauge). One query."""
    today = today or timezone.localdate()
    return LicenceApplication.objects.filter(
        status__in=LicenceApplication.CLOCK_RUNNING_STATUSES, target_date__lt=today
    ).count()


def licence_list(*, q: str = "", status: str = "", vendor: str = "") -> QuerySet[Licence]:
    """Licences by number, with their application, vendor and destination."""
    licences = Licence.objects.select_related(
        "application__vendor", "application__destination", "application__product"
    )
    if q:
        licences = licences.filter(
            Q(number__icontains=q)
            | Q(application__reference__icontains=q)
            | Q(application__vendor__name__icontains=q)
        )
    if status:
        licences = licences.filter(status=status)
    if vendor:
        licences = licences.filter(application__vendor__registration_number=vendor)
    return licences.order_by("-valid_from", "-number")


def counts_by_status(model, *, leave_out=()) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status of ``model`` but ``leave_out``, zeros included,
    in one query."""
    rows = model.objects.exclude(status__in=leave_out).values_list("status")
    counts = dict(rows.annotate(n=Count("pk")).order_by())
    return [
        (value, label, counts.get(value, 0))
        for value, label in model._meta.get_field("status").choices
        if value not in leave_out
    ]


def _records_written_by(history_model, field: str, revision) -> QuerySet:
    """The history records in which ``field`` first names ``revision``: the revision's writes.

    Later records of the same object still carry the field (it says which revision last acted)
    but are someone else's changes; the reason is never looked at, since anyone may type one.
    """
    earlier = history_model.objects.filter(
        id=OuterRef("id"), **{field: OuterRef(field)}, audit_seq__lt=OuterRef("audit_seq")
    )
    return history_model.objects.filter(**{field: revision}).exclude(Exists(earlier))


def licences_touched_by(revision) -> QuerySet:
    """History records of the licences a whitelist revision suspended or barred from renewal."""
    return (
        _records_written_by(Licence.history.model, "changed_by_revision", revision)
        .select_related("application__vendor", "application__destination")
        .order_by("number")
    )


def applications_touched_by(revision) -> QuerySet:
    """History records of the pending applications a whitelist revision screened again."""
    return (
        _records_written_by(LicenceApplication.history.model, "rescreened_by_revision", revision)
        .select_related("vendor", "destination")
        .order_by("reference")
    )


@dataclass(frozen=True)
class PublicCheck:
    """What the public check of a licence tells: its number, status now and validity."""

    number: str
    status: str  # valid | suspended | revoked | expired | surrendered
    valid_from: datetime.date
    valid_until: datetime.date

    @property
    def label(self) -> str:
        return self.status.capitalize()


def public_check(*, number: str, check_code: str, today: datetime.date | None = None):
    """The licence's standing, when ``check_code`` is the one printed on its certificate; else
    None, whether the number is unknown or the code wrong (compared alike)."""
    from licenses import issuing

    licence = Licence.objects.filter(number=number).first()
    if not issuing.check_code_matches(licence, number, check_code):
        return None
    today = today or timezone.localdate()
    status = licence.status
    if status == LicenceStatus.ACTIVE:
        status = "expired" if licence.valid_until < today else "valid"
    elif status == LicenceStatus.SUSPENDED and licence.valid_until < today:
        status = "expired"
    return PublicCheck(licence.number, status, licence.valid_from, licence.valid_until)


# --- Restricted-party screening of parties (screening) ------------------------------------------


def party_refs(application_ids: Iterable[int] | None = None, *, parties=None) -> list[PartyRef]:
    """The parties to screen: those given (a party not yet stored has no id), or every party of
    these applications, in one query."""
    if parties is None:
        parties = Party.objects.filter(application_id__in=list(application_ids or ()))
        rows = parties.values_list(
            "name", "country__code", "pk", "application_id", "application__vendor_id"
        )
        return [PartyRef(*row) for row in rows]
    return [
        PartyRef(p.name, p.country.code, p.pk, p.application.pk, p.application.vendor_id)
        for p in parties
    ]


def party_screening_for(
    application_ids: Iterable[int], *, parties: list[PartyRef] | None = None
) -> tuple[dict[int | None, PartyScreeningFacts], list[NewMatch]]:
    """Rule 7's facts for each application, and the matches found now and not yet on record;
    a few queries whatever the number of applications and parties."""
    refs = parties if parties is not None else party_refs(application_ids)
    found = screening_selectors.screen_parties(refs)
    status = found.status
    facts = {}
    for application_id in {*application_ids, *(p.application_id for p in refs)}:
        screening = found.for_application(application_id)
        facts[application_id] = PartyScreeningFacts(
            list_usable=status.usable,
            snapshot_ids=status.snapshot_ids,
            open_matches=screening.open_matches + len(screening.new),
            confirmed_matches=screening.confirmed_matches,
            confirmed_before=screening.confirmed_before,
        )
    return facts, found.new


def live_parties() -> list[PartyRef]:
    """The parties of pending applications and of live (active or suspended) licences, in one
    query: the ones a list change screens again."""
    rows = (
        Party.objects.filter(
            Q(application__status__in=LicenceApplication.PENDING_STATUSES)
            | Q(application__licence__status__in=[LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED])
        )
        .values_list("pk", "name", "country__code", "application_id", "application__vendor_id")
        .order_by("pk")
    )
    return [PartyRef(name, code, pk, app, vendor) for pk, name, code, app, vendor in rows]


# --- Delivery reports ---------------------------------------------------------------------------


def reports_overdue(*, today: datetime.date | None = None) -> QuerySet[Licence]:
    """Export licences in force whose next delivery report is past due, most overdue first."""
    today = today or timezone.localdate()
    return (
        Licence.objects.filter(next_report_due__lt=today, status__in=REPORTING_STATUSES)
        .select_related("application__vendor", "application__destination")
        .order_by("next_report_due", "number")
    )


def delivery_reports(licence: Licence) -> QuerySet[DeliveryReport]:
    """A licence's delivery reports, oldest first, with their country and author."""
    return licence.delivery_reports.select_related("installation_country", "reported_by").order_by(
        "reported_at", "pk"
    )


def officials_emails() -> set[str]:
    """The email addresses of the active officials and senior officials."""
    return set(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[roles.OFFICIALS, roles.SENIOR_OFFICIALS])
        .exclude(email="")
        .values_list("email", flat=True)
    )
