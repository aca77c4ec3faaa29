"""Submissions in flight on PostgreSQL: a revision removing the destination waits for them."""

import threading
import time

import pytest
from django.db import connection, transaction

from countries import services as country_services
from countries.models import Country
from licenses import selectors
from licenses.models import ApplicationStatus, LicenceApplication, LicenceType
from tests.licenses import helpers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 30  # seconds: a bound that turns a hang into a failure, not a measurement


def hold_screening_locks(vendor, product, destination, *, locked, release, then=None):
    """A submission paused just after it locked what it screens: ``locked`` is set once the
    locks are held; ``release`` lets it go on (to ``then``, in the same transaction) and commit."""

    def run():
        try:
            with transaction.atomic():
                selectors.screening_facts(
                    vendor=vendor,
                    product=product,
                    licence_type=LicenceType.MARKETING,
                    destination=destination,
                    end_user_kind="intelligence",
                    lock=True,
                )
                locked.set()
                assert release.wait(WAIT), "never released"
                return then() if then else None
        finally:
            connection.close()

    return run


class Worker(threading.Thread):
    def __init__(self, function):
        super().__init__(daemon=True)
        self.function, self.outcome = function, None

    def run(self):
        try:
            self.outcome = self.function()
        except Exception as error:  # the outcome under test
            self.outcome = error
        finally:
            connection.close()


def someone_waits_for_a_lock() -> bool:
    """Polls until a backend waits for a row lock (True), or gives up after ``WAIT`` seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def test_a_revision_removing_the_destination_waits_for_a_submission_in_flight_and_rescreens_it(
    vendor, product, vendor_user, official, senior
):
    france = Country.objects.get(code="FR")
    revision = country_services.propose_revision(
        by=official,
        title="France out",
        reason="Test",
        add=[],
        remove=["FR"],
        licence_treatment="suspend",
    )
    locked, release = threading.Event(), threading.Event()
    submission = Worker(
        hold_screening_locks(
            vendor,
            product,
            france,
            locked=locked,
            release=release,
            then=lambda: helpers.submit(vendor, product, vendor_user),
        )
    )
    submission.start()
    assert locked.wait(WAIT)
    approval = Worker(lambda: country_services.approve_revision(revision=revision, by=senior))
    approval.start()
    try:
        assert someone_waits_for_a_lock(), "the revision did not wait for the submission"
    finally:
        # The submission goes on to write its history while the revision waits: both finish.
        release.set()
        submission.join(WAIT)
        approval.join(WAIT)

    assert isinstance(submission.outcome, LicenceApplication), submission.outcome
    assert not isinstance(approval.outcome, Exception), approval.outcome
    application = LicenceApplication.objects.get(pk=submission.outcome.pk)
    assert application.status == ApplicationStatus.REFUSED
    assert application.screened_against == revision
    assert application.history.filter(history_change_reason__startswith=revision.reference).exists()
