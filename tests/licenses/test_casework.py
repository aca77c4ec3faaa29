"""Case-work: who owns a case, what is asked of the vendor, notes; and the clock that stops while
the vendor owes an answer."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from licenses import casework, services
from licenses.models import ApplicationStatus, CaseNote, InformationRequest
from registry import roles, working_days
from registry.audit import history
from registry.errors import DomainError, TransitionNotAllowed
from tests.factories import submit_application, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(vendor, product, vendor_user):
    return submit_application(vendor=vendor, product=product, by=vendor_user)


@pytest.fixture
def other_official(db):
    return user_with_role(role=roles.OFFICIALS, username="official2")


def _reviewing(application, official):
    casework.take_case(application=application, by=official)
    return services.start_review(application=application, by=official)


def test_a_submitted_application_has_a_target_in_working_days(application):
    calendar = working_days.calendar()
    start = timezone.localdate(application.submitted_at)
    assert working_days.count(start, application.target_date, calendar=calendar) == 20


def test_an_official_takes_a_case_and_no_one_else_can(application, official, other_official):
    casework.take_case(application=application, by=official)
    application.refresh_from_db()
    assert application.assigned_to == official
    assert application.history.latest().history_change_reason == "Case taken by official"

    with pytest.raises(DomainError, match="assigned to official"):
        casework.take_case(application=application, by=other_official)
    application.refresh_from_db()
    assert application.assigned_to == official


def test_a_senior_reassigns_with_a_reason_on_the_record(
    application, official, other_official, senior
):
    casework.take_case(application=application, by=official)
    casework.assign_case(application=application, by=senior, to=other_official, reason="Leave")
    application.refresh_from_db()
    assert application.assigned_to == other_official
    record = application.history.latest()
    assert record.history_username == "senior"
    assert record.history_change_reason == "Case reassigned from official to official2: Leave"


def test_an_official_cannot_assign(application, official, other_official):
    with pytest.raises(DomainError, match="senior official"):
        casework.assign_case(application=application, by=official, to=other_official, reason="x")


@pytest.mark.parametrize("who", ["vendor_user", "auditor"])
def test_a_case_is_never_assigned_to_a_vendor_user_or_an_auditor(application, senior, who, request):
    records = application.history.count()
    with pytest.raises(ValidationError) as error:
        casework.assign_case(
            application=application, by=senior, to=request.getfixturevalue(who), reason="x"
        )
    assert "licensing officer" in str(error.value)
    application.refresh_from_db()
    assert application.assigned_to is None
    assert application.history.count() == records


def test_only_the_assignee_or_a_senior_decides_an_assigned_case(
    application, official, other_official, senior
):
    _reviewing(application, official)
    with pytest.raises(DomainError, match="only they or a senior official"):
        services.refuse_application(
            application=application, by=other_official, criteria=["other"], reason="No"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    services.refuse_application(application=application, by=senior, criteria=["other"], reason="No")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED


def test_a_request_stops_the_clock_for_the_working_days_the_vendor_took(
    application, official, vendor_user
):
    _reviewing(application, official)
    target = application.target_date
    raised_at = timezone.now()
    # Sunday to Sunday is five working days whatever the date, unless a holiday falls in it.
    answered_at = raised_at + datetime.timedelta(days=7)
    calendar = working_days.calendar()
    waited = working_days.count(
        timezone.localdate(raised_at), timezone.localdate(answered_at), calendar=calendar
    )
    with history.backdating():
        request = casework.raise_request(
            application=application,
            by=official,
            question="Which agency operates the system?",
            due_on=casework.due_in(10),
            at=raised_at,
        )
        application.refresh_from_db()
        assert application.status == ApplicationStatus.AWAITING_VENDOR
        casework.answer_request(
            request=request, by=vendor_user, response="The national police.", at=answered_at
        )
    application.refresh_from_db()
    request.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert request.status == "answered" and request.response == "The national police."
    assert waited >= 3
    assert working_days.count(target, application.target_date, calendar=calendar) == waited


def test_a_second_answer_is_refused(application, official, vendor_user):
    _reviewing(application, official)
    request = casework.raise_request(
        application=application, by=official, question="Who?", due_on=casework.due_in(5)
    )
    casework.answer_request(request=request, by=vendor_user, response="Police.")
    with pytest.raises(casework.AlreadyAnswered):
        casework.answer_request(request=request, by=vendor_user, response="Army.")
    request.refresh_from_db()
    assert request.response == "Police."


def test_a_due_date_in_the_past_is_refused(application, official):
    _reviewing(application, official)
    for due in (timezone.localdate(), timezone.localdate() - datetime.timedelta(days=3)):
        with pytest.raises(ValidationError, match="after today"):
            casework.raise_request(
                application=application, by=official, question="Who?", due_on=due
            )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert not InformationRequest.objects.exists()


def test_no_request_on_a_decided_case(application, official):
    _reviewing(application, official)
    services.refuse_application(
        application=application, by=official, criteria=["other"], reason="No"
    )
    with pytest.raises(TransitionNotAllowed, match="refused"):
        casework.raise_request(
            application=application, by=official, question="Who?", due_on=casework.due_in(5)
        )
    assert not InformationRequest.objects.exists()


def test_the_daily_command_expires_once_and_opens_the_refusal(application, official, vendor_user):
    _reviewing(application, official)
    request = casework.raise_request(
        application=application, by=official, question="Who?", due_on=casework.due_in(3)
    )
    with pytest.raises(TransitionNotAllowed, match="no expired request"):
        casework.refuse_for_missing_information(application=application, by=official, reason="x")
    later = (request.due_on + datetime.timedelta(days=1)).isoformat()
    out = io.StringIO()
    call_command("casework_reminders", today=later, stdout=out)
    assert "1 expired" in out.getvalue()
    records = request.history.count()
    call_command("casework_reminders", today=later, stdout=io.StringIO())
    assert request.history.count() == records
    request.refresh_from_db()
    assert request.status == "expired"

    with pytest.raises(casework.RequestExpired):
        casework.answer_request(request=request, by=vendor_user, response="Too late.")
    casework.refuse_for_missing_information(
        application=application, by=official, reason="No answer in time."
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REFUSED
    assert application.refusal_code == "information_not_provided"


def test_the_daily_command_flags_a_reminder_once(application, official):
    _reviewing(application, official)
    request = casework.raise_request(
        application=application, by=official, question="Who?", due_on=casework.due_in(10)
    )
    day = working_days.add(request.due_on, 0, calendar=working_days.calendar())
    call_command("casework_reminders", today=(day - datetime.timedelta(days=1)).isoformat())
    request.refresh_from_db()
    assert request.reminder_due and request.status == "open"


def test_another_vendor_cannot_answer(application, official, product):
    from tests.factories import register_vendor

    other = register_vendor(by=official, name="Other Ltd", registration_number="51-0000009")
    stranger = user_with_role(role=roles.VENDORS, username="stranger", vendor=other)
    _reviewing(application, official)
    request = casework.raise_request(
        application=application, by=official, question="Who?", due_on=casework.due_in(5)
    )
    with pytest.raises(DomainError, match="vendor concerned"):
        casework.answer_request(request=request, by=stranger, response="Me.")


def test_notes_are_appended_with_their_author(application, official):
    casework.add_note(application=application, by=official, text="Called the vendor.")
    casework.add_note(application=application, by=official, text="Sent the form.", shared=True)
    notes = list(CaseNote.objects.filter(application=application))
    assert [(n.text, n.shared, n.author) for n in notes] == [
        ("Called the vendor.", False, official),
        ("Sent the form.", True, official),
    ]
    with pytest.raises(ValidationError):
        casework.add_note(application=application, by=official, text="   ")


def test_a_vendor_user_cannot_write_a_note(application, vendor_user):
    with pytest.raises(DomainError):
        casework.add_note(application=application, by=vendor_user, text="Hello")
    assert not CaseNote.objects.exists()
