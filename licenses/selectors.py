"""Reads of vendors, applications and licences that are more than a one-line query."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from countries.models import Country
from countries.selectors import revision_in_force, whitelist_as_of
from licenses.approvals import ScreeningFacts
from licenses.models import Licence, LicenceApplication, LicenceType, Product, Vendor


def active_marketing_licences(
    *, vendor_ids: Iterable[int], lock: bool = False
) -> dict[tuple[int, int, int], str]:
    """``{(vendor_id, product_id, destination_id): number}`` of the vendors' active marketing
    licences, in one query."""
    licences = Licence.objects.filter(
        status=Licence.Status.ACTIVE,
        application__licence_type=LicenceType.MARKETING,
        application__vendor_id__in=set(vendor_ids),
    )
    if lock:
        licences = licences.select_for_update(of=("self",))
    rows = licences.order_by("number").values_list(
        "application__vendor_id", "application__product_id", "application__destination_id", "number"
    )
    found: dict[tuple[int, int, int], str] = {}
    for vendor_id, product_id, destination_id, number in rows:
        found.setdefault((vendor_id, product_id, destination_id), number)
    return found


def screening_facts(
    *,
    vendor: Vendor,
    product: Product,
    licence_type: str,
    destination: Country,
    end_user_kind: str,
    at: datetime.datetime | None = None,
    lock: bool = False,
) -> ScreeningFacts:
    """The facts of one application, read from the database now (or as of ``at``, for the seed).

    With ``lock`` the vendor, destination and marketing licences are re-read under row locks, in
    the order every service takes them (vendor, country, application, licence), so a decision
    cannot interleave with a suspension of the vendor or a revision removing the destination.
    """
    vendors = Vendor.objects.all()
    countries = Country.objects.all()
    if lock:
        vendors = vendors.select_for_update()
        countries = countries.select_for_update()
    vendor = vendors.get(pk=vendor.pk)
    destination = countries.get(pk=destination.pk)
    if at is None:
        eligible = destination.eligible
    else:
        eligible = whitelist_as_of(at).filter(pk=destination.pk).exists()
    revision = revision_in_force(at)
    marketing = active_marketing_licences(vendor_ids=[vendor.pk], lock=lock)
    return ScreeningFacts(
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
        marketing_licence=marketing.get((vendor.pk, product.pk, destination.pk)),
        revision_reference=revision.reference if revision else None,
    )


def facts_for_applications(
    applications: Iterable[LicenceApplication], *, revision_reference: str | None
) -> dict[int, ScreeningFacts]:
    """The facts of many applications at once, in two queries whatever their number.

    The applications must come with ``vendor``, ``product`` and ``destination`` selected.
    """
    applications = list(applications)
    marketing = active_marketing_licences(vendor_ids={a.vendor_id for a in applications})
    return {
        a.pk: ScreeningFacts(
            licence_type=a.licence_type,
            destination_code=a.destination.code,
            destination_name=a.destination.name,
            destination_eligible=a.destination.eligible,
            vendor_id=a.vendor_id,
            vendor_name=a.vendor.name,
            vendor_status=a.vendor.status,
            end_user_kind=a.end_user_kind,
            product_reference=a.product.reference,
            product_vendor_id=a.product.vendor_id,
            marketing_licence=marketing.get((a.vendor_id, a.product_id, a.destination_id)),
            revision_reference=revision_reference,
        )
        for a in applications
    }
