"""Reads of vendors, applications and licences."""

from django.db.models import Count, Q, QuerySet

from licenses.models import Licence, LicenceApplication, Vendor

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


def application_queue(
    *, statuses=None, destination: str = "", vendor: str = ""
) -> QuerySet[LicenceApplication]:
    """Applications oldest first; by default those waiting for a decision.

    ``destination`` is an alpha-2 code, ``vendor`` a registration number.
    """
    applications = LicenceApplication.objects.select_related(
        "vendor", "product", "destination"
    ).filter(status__in=statuses or LicenceApplication.PENDING_STATUSES)
    if destination:
        applications = applications.filter(destination__code=destination)
    if vendor:
        applications = applications.filter(vendor__registration_number=vendor)
    return applications.order_by("submitted_at", "reference")


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


def counts_by_status(model) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status of ``model``, zeros included, in one query."""
    counts = dict(model.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in model.Status.choices]


def licences_touched_by(reference: str) -> QuerySet:
    """History records of the licences a whitelist revision changed, named in their reason."""
    return (
        Licence.history.filter(history_change_reason__startswith=f"{reference}:")
        .select_related("application__vendor", "application__destination")
        .order_by("number")
    )
