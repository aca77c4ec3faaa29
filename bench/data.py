"""Fast setup of large data sets for the benchmarks. Setup speed is not what is measured.

Tracked rows are written with ``bulk_create`` inside ``history.bulk_writes()`` and each gets its
history record through the history table's bulk path (chained, in the Merkle log), named to the
system actor with a reason that says it is benchmark data. Numbers use the years 2000-2009 so they
never collide with real references.
"""

import contextlib
import datetime
from decimal import Decimal
from itertools import cycle

from django.db import connection, transaction
from django.utils import timezone

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


def _create(objs, model, by, *, chunk: int = 20_000):
    """Inserts ``objs`` and one ``+`` history record for each, ``chunk`` objects a transaction,
    through ``history.create_many``: the live rows with COPY, the records through the history
    table's bulk path, which numbers and hashes them into the chain and the Merkle log like every
    other record."""
    return history.create_many(objs, by=by, reason=REASON, chunk=chunk)


def tables_of(*models) -> list:
    """The tracked models and their history models."""
    return [*models, *(model.history.model for model in models)]


# Below this many rows a load keeps its indexes: rebuilding them would cost more than it saves.
REBUILD_FROM = 50_000


@contextlib.contextmanager
def indexes_rebuilt_after(models, *, rows: int):
    """Loads ``rows`` rows into the tables of ``models`` without their non-unique indexes, then
    creates each again from its own definition (``pg_get_indexdef``: the same name, columns,
    operator class and condition), so the tables end with exactly the indexes they had.

    A bulk load then adds no index entry row by row: a history table has about ten indexes, and
    one sorted build of each at the end costs a fraction of maintaining them through millions
    of inserts. Unique indexes, and so every constraint, stay in place throughout; so do partial
    indexes, whose condition PostgreSQL would print back in another (equivalent) form. Below
    ``REBUILD_FROM`` rows nothing is dropped.
    """
    if rows < REBUILD_FROM or connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index AS i JOIN pg_class AS t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisunique AND i.indpred IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [tables],
        )
        dropped = cursor.fetchall()
        with transaction.atomic():
            for name, _ in dropped:
                cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in dropped:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


class Numbers:
    """Unique numbers per series, continuing from the rows a kept database already holds.

    Benchmark references use the years 2000 to 2009 (a million numbers a year), which no real
    reference has.
    """

    def __init__(self):
        self.next = {}

    def take(self, series: str, count: int) -> range:
        if series not in self.next:
            self.next[series] = _existing(series) + 1
        start = self.next[series]
        self.next[series] = start + count
        return range(start, start + count)


def _existing(series: str) -> int:
    model, field, prefix = {
        "vendor": (Vendor, "registration_number", "BENCH-"),
        "product": (Product, "reference", "PRD-200"),
        "application": (LicenceApplication, "reference", "APP-200"),
        "licence": (Licence, "reference", "ML-200"),
    }[series]
    if model is Licence:
        field = "number"
    return model.objects.filter(**{f"{field}__startswith": prefix}).count()


def bench_number(prefix: str, n: int) -> str:
    """``APP-2000-000001`` … ``APP-2009-999999``: references in the form the registry checks."""
    return f"{prefix}-{2000 + n // 1_000_000}-{n % 1_000_000:06d}"


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
                reference=bench_number("PRD", i),
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
    ``assigned_to`` or ``target_date``) are set on each. Related rows are given by id: setting
    a related object costs more than the rest of building the row."""
    now = timezone.now()
    decided = status not in LicenceApplication.PENDING_STATUSES
    rows = []
    for i, product, destination in zip(
        numbers.take("application", count), cycle(products), cycle(destinations), strict=False
    ):
        rows.append(
            LicenceApplication(
                reference=bench_number("APP", i),
                vendor_id=product.vendor_id,
                product_id=product.pk,
                licence_type=LicenceType.MARKETING,
                destination_id=destination.pk,
                end_use="Lawful interception in serious-crime investigations.",
                value=Decimal("100000.00"),
                currency="EUR",
                status=status,
                submitted_by_id=by.pk,
                submitted_at=now - datetime.timedelta(days=30),
                decided_by_id=by.pk if decided else None,
                decided_at=now - datetime.timedelta(days=20) if decided else None,
                decision_reason="bench: approved" if decided else "",
                **fields,
            )
        )
    created = _create(rows, LicenceApplication, by)
    _create(
        [
            Party(
                application_id=application.pk,
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
                number=bench_number("ML", i),
                application_id=application.pk,
                valid_from=today - datetime.timedelta(days=20),
                valid_until=today + datetime.timedelta(days=700),
            )
            for i, application in zip(numbers.take("licence", len(approved)), approved, strict=True)
        ],
        Licence,
        by,
    )


def chained_country_history(count: int, *, by, batch: int = 50_000) -> None:
    """Adds ``count`` history records to the countries, each restating the country as it is
    (as a save that changes nothing would), so the whitelist on every date, the live rows and
    their latest records all stay as they were: only the trail grows.

    Written through the history tables' own bulk path (``AppendOnlyMixin.bulk_create``): every
    record is numbered and hashed into the chain and added to the Merkle log, as any record is,
    so ``verify_audit``, the timeline and the exports read real history. One transaction per
    ``batch`` records; a large load rebuilds the table's indexes after it
    (:func:`indexes_rebuilt_after`).
    """
    if count <= 0:
        return
    model = Country.history.model
    tracked = [f.attname for f in model.tracked_fields]
    countries = [
        {attname: getattr(country, attname) for attname in tracked}
        for country in Country.objects.order_by("pk")
    ]
    fixed = {
        "history_id": None,
        "history_type": "~",
        "history_user_id": by.pk,
        "history_username": by.get_username(),
        "history_change_reason": REASON,
        "audit_seq": None,
        "audit_hash": "",
    }
    make = history.record_maker(model)
    made = 0
    with indexes_rebuilt_after([model], rows=count):
        while made < count:
            size = min(batch, count - made)
            now = timezone.now()
            records = []
            for n in range(made, made + size):
                values = dict(fixed, history_date=now, **countries[n % len(countries)])
                records.append(make(values))
            with transaction.atomic():
                model.objects.bulk_create(records, batch_size=BATCH)
            made += size


def country_history_fillers(count: int, *, members_then: set[str], by, before) -> None:
    """Adds ``count`` history records to the countries outside the chain (unnumbered,
    unhashed), dated between the first list and ``before``, each restating the eligibility the
    country had then, so the whitelist on every date stays what the revisions made it. The
    backup benchmark (``bench.backup_restore``) uses them for bulk beside its chained records;
    B1-B8 use :func:`chained_country_history`, which ``verify_audit`` accepts.

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
