"""A revision's page lists the rows the revision changed, found by a field, never by a reason.

The page used to select history records whose reason began with the revision's reference, so a
vendor withdrawing an application (or surrendering a licence) with the reason "REV-…: x" put it
on that revision's page. The rows a revision changes now carry the revision itself.
"""

import pytest

from countries import services
from licenses import services as licence_services
from licenses.models import ApplicationStatus, LicenceStatus
from tests.factories import issue_licence, propose_removal, submit_application

pytestmark = pytest.mark.django_db


def _page(client, revision) -> str:
    return client.get(f"/countries/revisions/{revision.reference}/").content.decode()


def test_a_reason_typed_by_a_vendor_does_not_put_a_row_on_a_revisions_page(
    client, official, senior, second_senior, vendor, vendor_user, product
):
    suspended = issue_licence(
        vendor=vendor, product=product, by=vendor_user, official=official, destination="FR"
    )
    refused = submit_application(vendor=vendor, product=product, by=vendor_user, destination="FR")
    kept = issue_licence(
        vendor=vendor, product=product, by=vendor_user, official=official, destination="DE"
    )
    withdrawn = submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    revision = propose_removal(code="FR", by=senior)
    services.approve_revision(revision=revision, by=second_senior)

    licence_services.withdraw_application(
        application=withdrawn, by=vendor_user, reason=f"{revision.reference}: x"
    )
    licence_services.surrender_licence(
        licence=kept, by=vendor_user, reason=f"{revision.reference}: contract ended"
    )

    client.force_login(official)
    html = _page(client, revision)
    assert suspended.number in html
    assert refused.reference in html
    assert withdrawn.reference not in html
    assert kept.number not in html


def test_the_rows_a_revision_changed_carry_it(
    official, senior, second_senior, vendor, vendor_user, product
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    pending = submit_application(vendor=vendor, product=product, by=vendor_user)
    revision = propose_removal(code="FR", by=senior)
    services.approve_revision(revision=revision, by=second_senior)
    licence.refresh_from_db()
    pending.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED
    assert licence.changed_by_revision == revision
    assert licence.history.latest().changed_by_revision_id == revision.pk
    assert pending.status == ApplicationStatus.REFUSED
    assert pending.rescreened_by_revision == revision
    assert pending.history.latest().rescreened_by_revision_id == revision.pk


def test_the_data_migration_finds_the_revisions_own_records_and_not_a_typed_reason(
    official, senior, second_senior, vendor, vendor_user, product
):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("licenses.migrations.0012_record_revision_effects")
    suspended = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    refused = submit_application(vendor=vendor, product=product, by=vendor_user)
    revision = propose_removal(code="FR", by=senior)
    services.approve_revision(revision=revision, by=second_senior)
    withdrawn = submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    licence_services.withdraw_application(
        application=withdrawn,
        by=vendor_user,
        reason=f"{revision.reference}: {revision.title} — screened again against the revised "
        "whitelist",
    )

    [(found, licences, applications)] = list(migration._effects(apps))
    assert found.pk == revision.pk
    assert licences == [suspended.pk]
    assert applications == [refused.pk]
