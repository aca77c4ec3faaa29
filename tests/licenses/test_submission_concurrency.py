"""Submissions in flight on PostgreSQL: they do not queue behind one another, and a suspension of
the vendor or a revision removing the destination waits for them."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from countries import services as country_services
from countries.models import Country
from licenses import selectors, services
from licenses.models import ApplicationStatus, LicenceApplication, LicenceType, Vendor, VendorStatus
from tests.factories import issue_licence, propose_removal, submit_application
from tests.support.concurrency import WAIT, interleave, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def screening_locks(vendor, product, destination, *, licence_type=LicenceType.MARKETING):
    """What a submission locks before it writes anything: what it screens."""
    return lambda: selectors.screening_facts_and_revision(
        vendor=vendor,
        product=product,
        licence_type=licence_type,
        destination=destination,
        end_user_kind="intelligence",
        lock=True,
    )


def hold_screening_locks(vendor, product, destination, *, locked, release):
    """A submission paused just after it locked what it screens: ``locked`` is set once the
    locks are held; ``release`` lets it commit."""

    def run():
        try:
            with transaction.atomic():
                screening_locks(vendor, product, destination)()
                locked.set()
                assert release.wait(WAIT), "never released"
        finally:
            connection.close()

    return run


def test_a_submission_completes_while_another_of_the_vendor_to_the_country_is_in_flight(
    vendor, product, vendor_user
):
    france = Country.objects.get(code="FR")
    locked, release = threading.Event(), threading.Event()
    first = threading.Thread(
        target=hold_screening_locks(vendor, product, france, locked=locked, release=release)
    )
    first.start()
    try:
        assert locked.wait(WAIT)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Waiting for the first transaction would end in an error, not a hang.
                cursor.execute("SET LOCAL lock_timeout = '10s'")
            second = submit_application(vendor=vendor, product=product, by=vendor_user)
        assert first.is_alive(), "the first submission was meant to be still in flight"
    finally:
        release.set()
        first.join(WAIT)
    assert second.status == ApplicationStatus.SUBMITTED
    assert LicenceApplication.objects.get(reference=second.reference).vendor == vendor


def test_a_vendor_suspension_waits_for_a_submission_in_flight(
    vendor, product, vendor_user, official
):
    france = Country.objects.get(code="FR")
    application, suspended = interleave(
        lock=screening_locks(vendor, product, france),
        then=lambda: submit_application(vendor=vendor, product=product, by=vendor_user),
        meanwhile=lambda: services.suspend_vendor(
            vendor=vendor, by=official, reason="Under investigation"
        ),
    )

    assert isinstance(application, LicenceApplication), application
    assert isinstance(suspended, Vendor), suspended
    # Screened while the vendor was active; suspended after, in the audit chain's order too.
    assert application.status == ApplicationStatus.SUBMITTED
    standing = {r["rule"]: r["passed"] for r in application.screening}
    assert standing["vendor_in_good_standing"] is True
    submitted_seq = application.history.get().audit_seq
    suspended_seq = vendor.history.get(status="suspended").audit_seq
    assert suspended_seq > submitted_seq
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUSPENDED


def test_a_suspension_of_the_marketing_licence_waits_for_an_export_submission_in_flight(
    vendor, product, vendor_user, official
):
    marketing = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    france = Country.objects.get(code="FR")
    application, suspended = interleave(
        lock=screening_locks(vendor, product, france, licence_type=LicenceType.EXPORT),
        then=lambda: submit_application(
            vendor=vendor, product=product, by=vendor_user, licence_type=LicenceType.EXPORT
        ),
        meanwhile=lambda: services.suspend_licence(
            licence=marketing, by=official, reason="Under review"
        ),
    )

    assert isinstance(application, LicenceApplication), application
    assert not isinstance(suspended, Exception), suspended
    assert application.status == ApplicationStatus.SUBMITTED
    submitted = application.history.get(status="submitted")
    assert submitted.audit_seq < marketing.history.get(status="suspended").audit_seq


def test_a_revision_removing_the_destination_waits_for_a_submission_in_flight_and_rescreens_it(
    vendor, product, vendor_user, official, senior
):
    france = Country.objects.get(code="FR")
    revision = propose_removal(code="FR", by=official)
    # The submission goes on to write its history while the revision waits: both finish.
    submitted, applied = interleave(
        lock=screening_locks(vendor, product, france),
        then=lambda: submit_application(vendor=vendor, product=product, by=vendor_user),
        meanwhile=lambda: country_services.approve_revision(revision=revision, by=senior),
    )

    assert isinstance(submitted, LicenceApplication), submitted
    assert not isinstance(applied, Exception), applied
    application = LicenceApplication.objects.get(pk=submitted.pk)
    assert application.status == ApplicationStatus.REFUSED
    assert application.screened_against == revision
    assert application.history.filter(history_change_reason__startswith=revision.reference).exists()


def test_submissions_at_once_get_consecutive_unique_references(vendor, product, vendor_user):
    codes = ("FR", "FR", "FR", "DE", "IT", "ES")
    outcomes = run_together(
        *(
            lambda code=code: submit_application(
                vendor=vendor, product=product, by=vendor_user, destination=code
            )
            for code in codes
        )
    )

    assert all(isinstance(o, LicenceApplication) for o in outcomes), outcomes
    year = timezone.now().year
    assert sorted(o.reference for o in outcomes) == [f"APP-{year}-{n:06d}" for n in range(1, 7)]
    assert LicenceApplication.history.count() == len(codes)
