"""A whitelist revision meeting another service on the same rows, on PostgreSQL: no deadlock.

Each test lets one service take its row locks and stop before its first history record, starts
the other, waits until the database shows it waiting for one of those rows, then lets the first
finish. A service that wrote history (which locks the audit chain's head) before locking its rows
would then hold the head while waiting for the row, and the first would wait for the head: a
deadlock, which PostgreSQL ends by aborting one of the two.
"""

import pytest

from countries import services
from countries.models import Country
from licenses import services as licence_services
from licenses.models import ApplicationStatus, Licence, LicenceApplication, LicenceStatus, Vendor
from registry.audit import chain as audit_chain
from tests.factories import (
    issue_licence,
    propose_removal,
    register_product,
    register_vendor,
    submit_application,
)
from tests.support.concurrency import interleave

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _licence_history(licence: Licence) -> list[tuple[str, str]]:
    return [
        (record.status, record.history_change_reason)
        for record in licence.history.order_by("audit_seq")
    ]


def _assert_no_error(*outcomes) -> None:
    for outcome in outcomes:
        assert not isinstance(outcome, Exception), f"{type(outcome).__name__}: {outcome}"


def _assert_chain_intact() -> None:
    report = audit_chain.verify_chain()
    assert report.ok, str(report.broken)


@pytest.fixture
def licence(official):
    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    return issue_licence(
        vendor=vendor, product=product, by=official, official=official, destination="FR"
    )


def test_a_licence_suspended_while_a_revision_removes_its_destination(
    licence, official, senior, second_senior
):
    revision = propose_removal(code="FR", by=senior)

    suspended, applied = interleave(
        lock=lambda: Licence.objects.select_for_update().get(pk=licence.pk),
        then=lambda: licence_services.suspend_licence(
            licence=licence, by=official, reason="Breach of the end-use statement"
        ),
        meanwhile=lambda: services.approve_revision(revision=revision, by=second_senior),
    )

    _assert_no_error(suspended, applied)
    assert not Country.objects.get(code="FR").eligible
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED
    # The revision found the licence already suspended, and left it as the official did.
    assert _licence_history(licence) == [
        ("active", f"Issued on approval of {licence.application.reference}"),
        ("suspended", "Breach of the end-use statement"),
    ]
    _assert_chain_intact()


def test_a_licence_reinstated_while_a_revision_removes_its_destination(
    licence, official, senior, second_senior
):
    licence_services.suspend_licence(licence=licence, by=official, reason="Inquiry opened")
    revision = propose_removal(code="FR", by=senior)

    def lock_as_reinstating_does():
        Country.objects.select_for_update().get(code="FR")
        Licence.objects.select_for_update().get(pk=licence.pk)

    reinstated, applied = interleave(
        lock=lock_as_reinstating_does,
        then=lambda: licence_services.reinstate_licence(
            licence=licence, by=official, reason="Inquiry closed"
        ),
        meanwhile=lambda: services.approve_revision(revision=revision, by=second_senior),
    )

    _assert_no_error(reinstated, applied)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED
    # Reinstated while France was on the list, then suspended by the revision that removed it.
    assert _licence_history(licence)[-2:] == [
        ("active", "Inquiry closed"),
        (
            "suspended",
            f"{revision.reference}: FR out — licence suspended pending review: its destination "
            "left the whitelist",
        ),
    ]
    _assert_chain_intact()


def test_an_application_withdrawn_while_a_revision_removes_its_destination(
    official, senior, second_senior
):
    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    application = submit_application(vendor=vendor, product=product, by=official, destination="FR")
    revision = propose_removal(code="FR", by=senior)

    withdrawn, applied = interleave(
        lock=lambda: LicenceApplication.objects.select_for_update().get(pk=application.pk),
        then=lambda: licence_services.withdraw_application(
            application=application, by=official, reason="The tender was cancelled"
        ),
        meanwhile=lambda: services.approve_revision(revision=revision, by=second_senior),
    )

    _assert_no_error(withdrawn, applied)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    latest = application.history.order_by("audit_seq").last()
    assert latest.status == ApplicationStatus.WITHDRAWN
    assert latest.history_change_reason == "The tender was cancelled"
    _assert_chain_intact()


def test_an_application_submitted_while_a_revision_proposes_removing_its_destination(
    official, senior
):
    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)

    def lock_as_submitting_does():
        Vendor.objects.select_for_update().get(pk=vendor.pk)
        Country.objects.select_for_update().get(code="FR")

    submitted, proposed = interleave(
        lock=lock_as_submitting_does,
        then=lambda: submit_application(
            vendor=vendor, product=product, by=official, destination="FR"
        ),
        meanwhile=lambda: propose_removal(code="FR", by=senior),
    )

    _assert_no_error(submitted, proposed)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert proposed.changes.get().country.code == "FR"
    _assert_chain_intact()
