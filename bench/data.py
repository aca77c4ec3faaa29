"""Fast setup of large data sets for the benchmarks. Setup speed is not what is measured.

Tracked rows are written with ``bulk_create_with_history`` inside ``history.bulk_writes()``: every
row still gets its history record, named to the system actor with a reason that says it is
benchmark data. Numbers use the year 2000 series so they never collide with real references.
"""

import datetime
from decimal import Decimal
from itertools import cycle

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from countries.models import Country
from licenses.models import (
    ApplicationStatus,
    EndUserKind,
    Licence,
    LicenceApplication,
    LicenceType,
    Party,
    PartyRole,
    Product,
    ProductCategory,
    Vendor,
)
from registry.audit import history

REASON = "bench: generated benchmark data"
BATCH = 5000


def _create(objs, model, by):
    with history.bulk_writes():
        return bulk_create_with_history(
            objs,
            model,
            batch_size=BATCH,
            default_user=by,
            default_change_reason=REASON,
            custom_historical_attrs={"history_username": by.get_username()},
        )


class Numbers:
    """Unique numbers per series across calls in one benchmark run."""

    def __init__(self):
        self.next = {}

    def take(self, series: str, count: int) -> range:
        start = self.next.get(series, 1)
        self.next[series] = start + count
        return range(start, start + count)


numbers = Numbers()


def vendors_with_products(count: int, *, by) -> list[Product]:
    vendors = _create(
        [
            Vendor(
                name=f"Bench Vendor {i} Ltd",
                registration_number=f"BENCH-{i:07d}",
                contact_name="Bench Contact",
                contact_email=f"bench{i}@vendor.example",
            )
            for i in numbers.take("vendor", count)
        ],
        Vendor,
        by,
    )
    return _create(
        [
            Product(
                reference=f"PRD-2000-{i:06d}",
                vendor=vendor,
                name=f"Bench product {i}",
                control_entry="4D004",
                category=ProductCategory.FORENSICS,
            )
            for i, vendor in zip(numbers.take("product", len(vendors)), vendors, strict=True)
        ],
        Product,
        by,
    )


def applications(
    count: int, *, products, destinations, by, status=ApplicationStatus.SUBMITTED, **fields
) -> list[LicenceApplication]:
    """``count`` applications spread over ``products`` and ``destinations``; ``fields`` (such as
    ``assigned_to`` or ``target_date``) are set on each."""
    now = timezone.now()
    decided = status not in LicenceApplication.PENDING_STATUSES
    rows = []
    for i, product, destination in zip(
        numbers.take("application", count), cycle(products), cycle(destinations), strict=False
    ):
        rows.append(
            LicenceApplication(
                reference=f"APP-2000-{i:06d}",
                vendor_id=product.vendor_id,
                product=product,
                licence_type=LicenceType.MARKETING,
                destination=destination,
                end_use="Lawful interception in serious-crime investigations.",
                value=Decimal("100000.00"),
                currency="EUR",
                status=status,
                submitted_by=by,
                submitted_at=now - datetime.timedelta(days=30),
                decided_by=by if decided else None,
                decided_at=now - datetime.timedelta(days=20) if decided else None,
                decision_reason="bench: approved" if decided else "",
                **fields,
            )
        )
    created = _create(rows, LicenceApplication, by)
    _create(
        [
            Party(
                application=application,
                role=PartyRole.END_USER,
                name="Bench national police",
                kind=EndUserKind.LAW_ENFORCEMENT,
                country_id=application.destination_id,
            )
            for application in created
        ],
        Party,
        by,
    )
    return created


def active_licences(count: int, *, products, destinations, by) -> list[Licence]:
    """``count`` approved applications and their active licences, spread over ``destinations``."""
    approved = applications(
        count,
        products=products,
        destinations=destinations,
        by=by,
        status=ApplicationStatus.APPROVED,
    )
    today = timezone.localdate()
    return _create(
        [
            Licence(
                number=f"ML-2000-{i:06d}",
                application=application,
                valid_from=today - datetime.timedelta(days=20),
                valid_until=today + datetime.timedelta(days=700),
            )
            for i, application in zip(numbers.take("licence", len(approved)), approved, strict=True)
        ],
        Licence,
        by,
    )


def country_history_fillers(count: int, *, members_then: set[str], by, before) -> None:
    """Adds ``count`` history records to the countries, dated between the first list and
    ``before``, each restating the eligibility the country had then (as an edit of its name
    would), so the whitelist on every date stays what the revisions made it.

    One INSERT ... SELECT over generate_series on the history table (PostgreSQL): a million rows
    take seconds instead of minutes. Tracked tables are never written this way.
    """
    if count <= 0:
        return
    table = Country.history.model._meta.db_table
    countries = list(Country.objects.order_by("pk").values_list("pk", "code"))
    ids = [pk for pk, _ in countries]
    eligible = [code in members_then for _, code in countries]
    start = datetime.datetime(2018, 1, 2, tzinfo=datetime.UTC)
    span = (before - start).total_seconds() - 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (id, code, alpha3, name, eligible, history_date,
                history_change_reason, history_type, history_user_id, history_username,
                audit_hash)
            SELECT c.id, c.code, c.alpha3, c.name, m.eligible,
                   %s::timestamptz + make_interval(secs => random() * %s),
                   %s, '~', %s, %s, ''
            FROM generate_series(0, %s - 1) AS g(n)
            JOIN unnest(%s::bigint[], %s::boolean[]) WITH ORDINALITY AS m(id, eligible, ord)
              ON m.ord = (g.n %% %s) + 1
            JOIN {Country._meta.db_table} AS c ON c.id = m.id
            """,
            [start, span, REASON, by.pk, by.get_username(), count, ids, eligible, len(ids)],
        )
        cursor.execute(f"ANALYZE {table}")
