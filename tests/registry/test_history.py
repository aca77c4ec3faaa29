"""Every write to a tracked model leaves a history record naming its user and reason."""

import datetime

import pytest
from django.db import transaction

from countries.models import Country
from licenses.models import Vendor, VendorStatus
from registry.accounts import services as accounts
from registry.audit import history
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db


def test_saved_change_records_user_reason_and_fields(official):
    vendor = VendorFactory()
    vendor.status = VendorStatus.SUSPENDED
    history.save(vendor, by=official, reason="Licence conditions breached")
    record = vendor.history.latest()
    assert record.status == "suspended"
    assert record.history_user_id == official.pk
    assert record.history_username == "official"
    assert record.history_change_reason == "Licence conditions breached"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_without_a_reason_is_refused_and_nothing_is_written(official, reason):
    vendor = VendorFactory()
    vendor.status = VendorStatus.SUSPENDED
    with pytest.raises(history.MissingAuditContextError):
        history.save(vendor, by=official, reason=reason)
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.ACTIVE
    assert vendor.history.count() == 1


def test_a_plain_save_without_user_is_refused():
    vendor = VendorFactory()
    vendor.name = "Renamed Ltd"
    with pytest.raises(history.HistoryBypassError), transaction.atomic():
        vendor.save()
    assert Vendor.objects.get(pk=vendor.pk).name != "Renamed Ltd"


@pytest.mark.parametrize(
    "write",
    [
        lambda: Country.objects.filter(code="FR").update(eligible=False),
        lambda: Country.objects.bulk_create([Country(code="XA", alpha3="XAA", name="X")]),
        lambda: Country.objects.bulk_update(list(Country.objects.all()[:1]), ["eligible"]),
        lambda: Country.objects.filter(code="FR").delete(),
        lambda: Country.objects.get(code="FR").delete(),
    ],
    ids=["update", "bulk_create", "bulk_update", "queryset_delete", "delete"],
)
def test_writes_that_would_skip_history_are_refused(write):
    with pytest.raises(history.HistoryBypassError):
        write()
    assert Country.objects.get(code="FR").eligible


def test_bulk_update_writes_one_record_per_object(official):
    vendors = VendorFactory.create_batch(3)
    for vendor in vendors:
        vendor.status = VendorStatus.SUSPENDED
    assert history.bulk_update(vendors, fields=["status"], by=official, reason="Sanctions") == 3
    for vendor in vendors:
        record = vendor.history.latest()
        assert (record.status, record.history_change_reason) == ("suspended", "Sanctions")
        assert record.history_username == "official"


def test_only_the_seed_may_backdate(official):
    vendor = VendorFactory()
    past = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    with pytest.raises(history.MissingAuditContextError):
        history.save(vendor, by=official, reason="backdated", at=past)
    with history.backdating():
        history.save(vendor, by=official, reason="seeded past", at=past)
    assert vendor.history.earliest("history_date").history_date == past


def test_history_keeps_the_user_after_the_account_is_deactivated(official):
    vendor = VendorFactory()
    history.save(vendor, by=official, reason="Checked")
    accounts.deactivate_user(user=official, by=official, reason="Left the ministry")
    record = vendor.history.latest()
    assert (record.history_user_id, record.history_username) == (official.pk, "official")


@pytest.mark.parametrize("model", ["vendor", "licence"])
def test_bulk_update_records_are_those_simple_history_would_write(official, model):
    """The bulk path builds its records itself, for speed; they must not drift from the
    library's own ``bulk_history_create`` as either changes."""
    from django.utils import timezone

    from tests.factories import LicenceFactory

    factory = VendorFactory if model == "vendor" else LicenceFactory
    objs = factory.create_batch(2)
    objs[1]._change_reason = "An object's own reason wins"
    options = dict(
        default_user=official,
        default_change_reason="Sanctions",
        default_date=timezone.now(),
        custom_historical_attrs={"history_username": official.get_username()},
    )
    manager = type(objs[0]).history
    ours = history._update_records(manager.model, objs, **options)
    assert ours is not None  # the fast path applies to the project's history tables
    with history.bulk_writes():
        theirs = manager.bulk_history_create(objs, update=True, **options)

    def columns(record):
        # Numbered, hashed and stamped with the server's time when the chain takes them.
        skip = {"history_id", "audit_seq", "audit_hash", "history_date"}
        return {
            f.attname: getattr(record, f.attname)
            for f in record._meta.concrete_fields
            if f.attname not in skip
        }

    assert [columns(r) for r in ours] == [columns(r) for r in theirs]
    assert {r.history_date for r in ours} == {options["default_date"]}
    assert ours[1].history_change_reason == "An object's own reason wins"
