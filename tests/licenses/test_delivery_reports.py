"""Delivery reports under export licences: the schedule, filing one, what is overdue, the email."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from countries.models import Country
from licenses import selectors, services
from licenses.models import DeliveryReport
from registry import roles
from registry.accounts import services as accounts
from registry.audit import chain
from registry.errors import DomainError
from tests.factories import LicenceFactory, export_licence, issue_licence, user_with_role

pytestmark = pytest.mark.django_db

D = datetime.date


def report(licence, by, **changes):
    values = {
        "delivered_on": licence.valid_from,
        "systems": 2,
        "installation_country": Country.objects.get(code="FR"),
        "operating_unit": "Sous-direction de la lutte antiterroriste",
        "remote_maintenance": False,
    }
    values.update(changes)
    return services.file_delivery_report(licence=licence, by=by, **values)


@pytest.fixture
def holder(vendor):
    return user_with_role(role=roles.VENDORS, username="acme-exports", vendor=vendor)


# --- The schedule -------------------------------------------------------------------------------


def test_the_first_report_is_due_thirty_days_after_issue_then_every_six_months(settings):
    settings.DELIVERY_REPORT_DAYS = 30
    dates = services.report_due_dates(D(2026, 1, 1))
    assert [next(dates) for _ in range(4)] == [
        D(2026, 1, 31),
        D(2026, 7, 31),
        D(2027, 1, 31),
        D(2027, 7, 31),
    ]


def test_a_due_date_on_the_31st_does_not_drift_through_short_months(settings):
    settings.DELIVERY_REPORT_DAYS = 30
    dates = services.report_due_dates(D(2026, 7, 1))  # first due 31 July
    assert [next(dates) for _ in range(3)] == [D(2026, 7, 31), D(2027, 1, 31), D(2027, 7, 31)]
    dates = services.report_due_dates(D(2026, 2, 1))  # first due 3 March, then 3 Sept
    assert next(dates) == D(2026, 3, 3)


@pytest.mark.parametrize(
    ("due", "filed_on", "expected"),
    [
        # On time, early in the window: the next one is six months on.
        (D(2026, 1, 31), D(2026, 1, 10), D(2026, 7, 31)),
        # Late: answers the one missed; the next is the first still ahead.
        (D(2026, 1, 31), D(2026, 2, 10), D(2026, 7, 31)),
        # Two periods missed: one late report brings the licence up to date.
        (D(2026, 1, 31), D(2026, 8, 5), D(2027, 1, 31)),
        # A second report in a window already answered moves nothing (no filing in advance).
        (D(2026, 7, 31), D(2026, 1, 20), D(2026, 7, 31)),
        # In the next window: answers it.
        (D(2026, 7, 31), D(2026, 3, 1), D(2027, 1, 31)),
    ],
)
def test_the_next_due_date_after_a_report(settings, due, filed_on, expected):
    settings.DELIVERY_REPORT_DAYS = 30
    assert services.next_report_due(issued_on=D(2026, 1, 1), due=due, filed_on=filed_on) == expected


# --- Filing ---------------------------------------------------------------------------------


def test_a_report_is_recorded_with_history_and_moves_the_due_date_on(vendor, holder):
    licence = export_licence(vendor=vendor, issued_on=D.today() - datetime.timedelta(days=40))
    first_due = licence.next_report_due
    filed = report(licence, holder, systems=3, remote_maintenance=True)
    licence.refresh_from_db()
    assert filed.due_on == first_due
    assert licence.next_report_due > D.today()
    record = filed.history.get()
    assert (record.history_username, record.history_change_reason) == (
        "acme-exports",
        f"Delivery reported under licence {licence.number}",
    )
    assert record.systems == 3 and record.remote_maintenance is True
    latest = licence.history.latest()
    assert latest.history_change_reason.startswith("Delivery report filed: the next is due on")
    assert latest.next_report_due == licence.next_report_due
    assert chain.verify_chain().ok


def test_a_marketing_licence_takes_no_report(vendor, holder):
    marketing = LicenceFactory(application__product__vendor=vendor)
    with pytest.raises(ValidationError) as error:
        report(marketing, holder)
    assert "marketing licence" in error.value.message_dict["licence"][0]
    assert not DeliveryReport.objects.exists()


def test_another_vendors_user_cannot_report_on_the_licence(vendor, holder):
    other = export_licence()
    with pytest.raises(DomainError):
        report(other, holder)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"delivered_on": D.today() + datetime.timedelta(days=1)}, "delivered_on"),
        ({"delivered_on": D(2000, 1, 1)}, "delivered_on"),
        ({"systems": 0}, "systems"),
        ({"operating_unit": "  "}, "operating_unit"),
    ],
)
def test_bad_reports_are_refused_with_the_field_named(vendor, holder, changes, field):
    licence = export_licence(vendor=vendor)
    with pytest.raises(ValidationError) as error:
        report(licence, holder, **changes)
    assert field in error.value.message_dict
    assert not DeliveryReport.objects.exists()
    licence.refresh_from_db()
    assert licence.next_report_due == services.first_report_due(licence.valid_from)


# --- Overdue ----------------------------------------------------------------------------------


def test_overdue_are_the_licences_in_force_past_their_due_date(vendor, holder, official):
    long_ago = D.today() - datetime.timedelta(days=45)
    overdue = export_licence(vendor=vendor, issued_on=long_ago)
    export_licence(vendor=vendor)  # due in 30 days
    revoked = export_licence(vendor=vendor, issued_on=long_ago)
    services.revoke_licence(licence=revoked, by=official, reason="Misuse")
    assert [licence.number for licence in selectors.reports_overdue()] == [overdue.number]
    assert overdue.reports_overdue

    report(overdue, holder)
    assert list(selectors.reports_overdue()) == []


def test_the_daily_command_emails_the_officials_and_each_vendor_its_own(vendor, official):
    accounts.update_details(user=official, by=official, reason="test", email="o@agency.example")
    long_ago = D.today() - datetime.timedelta(days=45)
    mine = export_licence(vendor=vendor, issued_on=long_ago)
    theirs = export_licence(issued_on=long_ago)

    call_command("delivery_reports_overdue", stdout=io.StringIO())

    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {
        ("o@agency.example",),
        (vendor.contact_email,),
        (theirs.application.vendor.contact_email,),
    }
    digest = by_recipient["o@agency.example",].body
    assert mine.number in digest and theirs.number in digest
    own = by_recipient[vendor.contact_email,].body
    assert mine.number in own and theirs.number not in own


def test_nothing_overdue_sends_nothing(vendor):
    export_licence(vendor=vendor)
    call_command("delivery_reports_overdue", stdout=io.StringIO())
    assert mail.outbox == []


@pytest.mark.usefixtures("documents_folder")
def test_issuing_an_export_licence_sets_its_first_due_date_and_status(vendor, product, official):
    marketing = issue_licence(vendor=vendor, product=product, by=official, official=official)
    assert marketing.next_report_due is None
    assert marketing.status_reason.startswith("Issued on approval of")
    export = issue_licence(
        vendor=vendor, product=product, by=official, official=official, licence_type="export"
    )
    assert export.next_report_due == export.valid_from + datetime.timedelta(days=30)
    assert export.status_changed_at is not None and export.updated_at is not None
