"""The benchmark's generated data is real history: chained, verifiable, matching the live rows."""

import pytest

from bench import data
from countries.models import Country
from countries.selectors import whitelist_as_of_from_history
from licenses.models import Licence, LicenceApplication
from registry.audit.chain import verify_chain
from registry.audit.models import AuditChainHead
from registry.audit.reconcile import reconcile_model


def _trail() -> int:
    return AuditChainHead.objects.get(pk=1).last_seq


def test_filler_records_grow_the_trail_without_changing_what_it_says(system):
    at = Country.objects.order_by("pk").first().history.earliest().history_date
    whitelist_then = set(whitelist_as_of_from_history(at).values_list("code", flat=True))
    before = _trail()

    data.chained_country_history(300, by=system, batch=120)

    assert _trail() == before + 300
    assert Country.history.filter(history_change_reason=data.REASON).count() == 300
    report = verify_chain()
    assert report.ok, report.breaks
    assert reconcile_model(Country) == []
    assert set(whitelist_as_of_from_history(at).values_list("code", flat=True)) == whitelist_then


def test_generated_licences_each_have_one_chained_creation_record(system):
    products = data.vendors_with_products(2, by=system)
    france = list(Country.objects.filter(code="FR"))

    licences = data.active_licences(5, products=products, destinations=france, by=system)

    assert len({licence.number for licence in licences}) == 5
    for licence in licences:
        [record] = licence.history.all()
        assert record.history_type == "+"
        assert record.history_change_reason == data.REASON
        assert record.audit_seq is not None
        assert record.application.history.count() == 1
    assert verify_chain().ok
    assert reconcile_model(Licence) == []
    assert reconcile_model(LicenceApplication) == []


def test_numbers_continue_after_the_rows_a_kept_database_holds(system):
    products = data.vendors_with_products(1, by=system)
    france = list(Country.objects.filter(code="FR"))
    first = data.applications(2, products=products, destinations=france, by=system)

    data.numbers = data.Numbers()  # a new run on the same database
    second = data.applications(2, products=products, destinations=france, by=system)

    references = [a.reference for a in first + second]
    assert len(set(references)) == 4
    assert all(r.startswith("APP-2000-") for r in references)
    assert data.bench_number("APP", 1_000_001) == "APP-2001-000001"


def _indexes(*tables) -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1",
            [list(tables)],
        )
        return cursor.fetchall()


@pytest.mark.postgres  # the indexes are dropped and rebuilt on PostgreSQL only
@pytest.mark.django_db(transaction=True)  # the load commits a transaction a chunk, as it runs
def test_a_large_load_ends_with_the_indexes_the_tables_had(system, monkeypatch):
    monkeypatch.setattr(data, "REBUILD_FROM", 1)  # what a load of millions does, on a few rows
    tables = [model._meta.db_table for model in data.tables_of(Licence, LicenceApplication)]
    tables.append(Country.history.model._meta.db_table)
    before = _indexes(*tables)
    products = data.vendors_with_products(1, by=system)
    france = list(Country.objects.filter(code="FR"))

    with data.indexes_rebuilt_after(data.tables_of(Licence, LicenceApplication), rows=3):
        data.active_licences(3, products=products, destinations=france, by=system)
    data.chained_country_history(50, by=system)

    assert _indexes(*tables) == before
    assert len(before) > 20
    assert verify_chain().ok
    assert reconcile_model(Licence) == []
