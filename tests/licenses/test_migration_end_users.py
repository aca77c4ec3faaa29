"""Migration 0006: every application's end user becomes its end-user party, with history."""

import datetime

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from licenses.models import LicenceApplication, Party
from registry.audit import chain, triggers
from registry.audit.history import system_user

BEFORE = [("licenses", "0007_parties_and_drafts")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _old_application(apps, *, number, name, kind, destination):
    """An application as the registry stored it before parties, with its history record
    chained as the registry chained it then (the columns it had, the end user's among them)."""
    Vendor = apps.get_model("licenses", "Vendor")
    Product = apps.get_model("licenses", "Product")
    Application = apps.get_model("licenses", "LicenceApplication")
    Historical = apps.get_model("licenses", "HistoricalLicenceApplication")
    vendor, _ = Vendor.objects.get_or_create(
        registration_number="51-0000009",
        defaults={"name": "Acme", "contact_name": "D", "contact_email": "d@acme.example"},
    )
    product, _ = Product.objects.get_or_create(
        reference="PRD-2021-000001",
        defaults={
            "vendor": vendor,
            "name": "Lighthouse",
            "control_entry": "4D004",
            "category": "forensics",
        },
    )
    application = Application.objects.create(
        reference=f"APP-2021-{number:06d}",
        vendor=vendor,
        product=product,
        licence_type="marketing",
        destination_id=destination,
        end_user_name=name,
        end_user_kind=kind,
        end_use="Counter-terrorism",
        value=1,
        currency="EUR",
        submitted_at=timezone.now() - datetime.timedelta(days=3),
    )
    # A field added later is hashed only once it holds a value (registry.audit.chain).
    columns = {f.attname for f in Application._meta.concrete_fields} - {"rescreened_by_revision_id"}
    Historical.tracked_fields = [f for f in Historical._meta.fields if f.attname in columns]
    record = Historical(
        **{name: getattr(application, name) for name in columns},
        history_date=timezone.now(),
        history_type="+",
        history_user_id=system_user().pk,
        history_username="system",
        history_change_reason="Application submitted",
    )
    with transaction.atomic():
        chain.chain([record])
        record.save()
    return application


@pytest.mark.django_db(transaction=True)
def test_each_end_user_becomes_a_party_with_its_history_and_the_chain_holds():
    from countries.models import Country

    france, mexico = (Country.objects.get(code=c).pk for c in ("FR", "MX"))
    try:
        old = _migrate(BEFORE)
        _old_application(old, number=1, name="DGSI", kind="intelligence", destination=france)
        _old_application(old, number=2, name="FGR", kind="law_enforcement", destination=mexico)
    finally:
        _migrate(_latest())
        # ``migrate`` would send post_migrate, which guards the history tables the forward
        # migrations made again; the executor does not, and later tests read those guards.
        triggers.install(django_apps)

    parties = {
        p.application.reference: p for p in Party.objects.select_related("application", "country")
    }
    assert {ref: (p.role, p.name, p.kind, p.country.code) for ref, p in parties.items()} == {
        "APP-2021-000001": ("end_user", "DGSI", "intelligence", "FR"),
        "APP-2021-000002": ("end_user", "FGR", "law_enforcement", "MX"),
    }
    for party in parties.values():
        [record] = party.history.all()
        assert record.history_username == "system"
        assert record.history_change_reason == (
            "Migrated: the application's end user became its end-user party"
        )
        assert record.audit_seq is not None
    application = LicenceApplication.objects.get(reference="APP-2021-000001")
    assert application.end_user.name == "DGSI"
    # The application's record from before keeps the end user's columns, and its hash.
    [old_record] = application.history.all()
    assert (old_record.end_user_name, old_record.end_user_kind) == ("DGSI", "intelligence")
    assert chain.verify_chain().ok, chain.verify_chain().broken
