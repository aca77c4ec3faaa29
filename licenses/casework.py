"""Every write of the officials' case-work: assignment, requests for information, notes.

The same rules as ``licenses.services``: keyword-only, one transaction each, the acting user and
the reason in the history record. Status changes of the application go through the services'
transition table. Locks follow the registry's order: the application before its requests, and
both before the first history record, so two officials acting on one case at once get one
outcome and the second a clear refusal.

The working-day clock (``registry.working_days``) stops while the vendor owes an answer: when
the answer comes, the application's target date moves on by the working days it waited.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from documents import selectors as documents_selectors
from licenses import events as notices
from licenses import issuing
from licenses import receipts as decision_receipts
from licenses.models import (
    ApplicationStatus,
    CaseNote,
    InformationRequest,
    InformationRequestStatus,
    LicenceApplication,
)
from licenses.services import (
    APPLICATION_TRANSITIONS,
    _locked_application,
    _now,
    _record_denial,
    _require_reason,
    _what,
    check_may_decide,
    target_date_for,
)
from registry import working_days
from registry.audit import history
from registry.errors import DomainError, TransitionNotAllowed
from registry.transitions import check_transition

DECIDE = "licenses.decide_licenceapplication"
ASSIGN = "licenses.assign_licenceapplication"
TEXT_MAX_LENGTH = 5000
MAX_DUE_WORKING_DAYS = 60
INFORMATION_NOT_PROVIDED = "information_not_provided"


class AlreadyAnswered(TransitionNotAllowed):
    code = "already_answered"


class RequestExpired(TransitionNotAllowed):
    code = "request_expired"


def _text(value: str, field: str, what: str) -> str:
    value = str(value or "").strip()
    if not value:
        raise ValidationError({field: f"Enter the {what}."})
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError({field: f"Keep the {what} under {TEXT_MAX_LENGTH} characters."})
    return value


def _require_official(by, what: str) -> None:
    if not by.has_perm(DECIDE):
        raise DomainError(f"Only a licensing officer may {what}.")


def _require_pending(application: LicenceApplication, what: str) -> None:
    if not application.is_pending:
        raise TransitionNotAllowed(
            f"Application {application.reference} is {application.get_status_display().lower()}: "
            f"{what} only while it waits for a decision."
        )


def assignable_officials():
    """The active users who decide applications, never a vendor's user or an auditor."""
    from registry.models import User

    return (
        User.objects.with_perm(
            DECIDE, include_superusers=False, backend="django.contrib.auth.backends.ModelBackend"
        )
        .filter(is_active=True, vendor__isnull=True)
        .order_by("username")
    )


# --- Assignment ---------------------------------------------------------------------------------


@transaction.atomic
def take_case(
    *, application: LicenceApplication, by, at: datetime.datetime | None = None
) -> LicenceApplication:
    """The official makes an unassigned pending case theirs."""
    _require_official(by, "take a case")
    application = _locked_application(application)
    _require_pending(application, "a case can be taken")
    if application.assigned_to_id == by.pk:
        raise DomainError(f"Application {application.reference} is already yours.")
    if application.assigned_to_id:
        raise DomainError(
            f"Application {application.reference} is assigned to "
            f"{application.assigned_to.get_username()}: a senior official reassigns it."
        )
    application.assigned_to = by
    return history.save(
        application,
        by=by,
        reason=f"Case taken by {by.get_username()}",
        at=at,
        update_fields=["assigned_to"],
    )


@transaction.atomic
def assign_case(*, application: LicenceApplication, by, to, reason: str) -> LicenceApplication:
    """A senior official gives a pending case to an official, or moves it to another."""
    reason = _require_reason(reason)
    if not by.has_perm(ASSIGN):
        raise DomainError("Only a senior official assigns cases.")
    if to is None or not assignable_officials().filter(pk=to.pk).exists():
        raise ValidationError({"assignee": "Choose a licensing officer: only they take cases."})
    application = _locked_application(application)
    _require_pending(application, "a case can be assigned")
    if application.assigned_to_id == to.pk:
        raise DomainError(
            f"Application {application.reference} is already assigned to {to.get_username()}."
        )
    before = application.assigned_to.get_username() if application.assigned_to_id else None
    application.assigned_to = to
    what = f"reassigned from {before} to" if before else "assigned to"
    return history.save(
        application,
        by=by,
        reason=f"Case {what} {to.get_username()}: {reason}",
        update_fields=["assigned_to"],
    )


# --- Requests for information ------------------------------------------------------------------


@transaction.atomic
def raise_request(
    *,
    application: LicenceApplication,
    by,
    question: str,
    due_on: datetime.date,
    at: datetime.datetime | None = None,
) -> InformationRequest:
    """Asks the vendor a question; the case waits on the vendor (its clock stops) until it
    answers or the request expires."""
    question = _text(question, "question", "question")
    moment = _now(at)
    today = timezone.localdate(moment)
    if not isinstance(due_on, datetime.date) or due_on <= today:
        raise ValidationError({"due_on": "The due date must be after today."})
    calendar = working_days.calendar()
    if working_days.count(today, due_on, calendar=calendar) > MAX_DUE_WORKING_DAYS:
        raise ValidationError(
            {"due_on": f"Give the vendor at most {MAX_DUE_WORKING_DAYS} working days."}
        )
    _require_official(by, "ask the vendor for information")
    application = _locked_application(application)
    check_may_decide(application, by)
    to = ApplicationStatus.AWAITING_VENDOR
    check_transition(APPLICATION_TRANSITIONS, application, to, what=_what(application))
    request = InformationRequest(
        application=application,
        question=question,
        raised_by=by,
        raised_at=moment,
        due_on=due_on,
    )
    application.status = to
    history.save(
        application,
        by=by,
        reason=f"Information requested from the vendor, due {due_on:%Y-%m-%d}",
        at=at,
        update_fields=["status"],
    )
    history.save(request, by=by, reason="Request for information raised", at=at)
    notices.request_raised(request, application, at=at)
    return request


def due_in(n: int, *, today: datetime.date | None = None) -> datetime.date:
    """The date ``n`` working days from today, for a request "due in N working days"."""
    return working_days.add(today or timezone.localdate(), n, calendar=working_days.calendar())


@transaction.atomic
def answer_request(
    *,
    request: InformationRequest,
    by,
    response: str,
    documents=(),
    at: datetime.datetime | None = None,
) -> InformationRequest:
    """The vendor answers, in text and with documents it uploaded to the application: the case
    goes back under review, its target date moved on by the working days it waited.

    ``documents`` are document ids; each must be one of the application's own documents."""
    response = _text(response, "response", "answer")
    if getattr(by, "vendor_id", None) is None:
        raise DomainError("Only the vendor concerned answers a request for information.")
    application = LicenceApplication.objects.get(pk=request.application_id)
    if application.vendor_id != by.vendor_id:
        raise DomainError("Only the vendor concerned answers a request for information.")
    application = _locked_application(application)
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    moment = _now(at)
    today = timezone.localdate(at) if at else timezone.localdate()
    if request.status == InformationRequestStatus.ANSWERED:
        raise AlreadyAnswered("This request is already answered: an answer cannot be changed.")
    if request.status == InformationRequestStatus.EXPIRED or request.due_on < today:
        raise RequestExpired(
            f"This request expired on {request.due_on:%Y-%m-%d}: it can no longer be answered."
        )
    calendar = working_days.calendar()
    waited = working_days.count(timezone.localdate(request.raised_at), today, calendar=calendar)
    target = application.target_date or target_date_for(application.submitted_at)
    application.target_date = working_days.add(target, waited, calendar=calendar)
    to = ApplicationStatus.UNDER_REVIEW
    check_transition(APPLICATION_TRANSITIONS, application, to, what=_what(application))
    application.status = to
    history.save(
        application,
        by=by,
        reason=f"The vendor answered the request for information after {waited} working "
        f"day{'s' if waited != 1 else ''}: the target moves on as many",
        at=at,
        update_fields=["status", "target_date"],
    )
    named = documents_selectors.named_on(application, documents)
    request.status = InformationRequestStatus.ANSWERED
    request.response = response
    request.response_documents = [str(document.key) for document in named] or None
    request.answered_by = by
    request.answered_at = moment
    return history.save(request, by=by, reason="Answered by the vendor", at=at)


@transaction.atomic
def refuse_for_missing_information(
    *, application: LicenceApplication, by, reason: str, at: datetime.datetime | None = None
) -> LicenceApplication:
    """Refuses a case whose request for information expired unanswered."""
    reason = _require_reason(reason)
    application = _locked_application(application)
    check_may_decide(application, by)
    expired = application.information_requests.filter(
        status=InformationRequestStatus.EXPIRED
    ).exists()
    if application.status != ApplicationStatus.AWAITING_VENDOR or not expired:
        raise TransitionNotAllowed(
            f"Application {application.reference} has no expired request for information: "
            "it cannot be refused for information not provided."
        )
    to = ApplicationStatus.REFUSED
    check_transition(APPLICATION_TRANSITIONS, application, to, what=_what(application))
    application.status = to
    application.decided_by = by
    application.decided_at = _now(at)
    application.decision_reason = reason
    application.refusal_code = INFORMATION_NOT_PROVIDED
    application.refusal_criteria = [INFORMATION_NOT_PROVIDED]
    history.save(application, by=by, reason=f"Refused, information not provided: {reason}", at=at)
    issuing.issue_refusal_letter(application=application, by=by, at=at)
    decision_receipts.issue_decision_receipt(
        application=application, decision=decision_receipts.REFUSAL
    )
    notices.application_changed(application, at=at)
    _record_denial(application)  # every refusal enters the denial register
    return application


@transaction.atomic
def mark_due_requests(*, today: datetime.date | None = None) -> tuple[int, int]:
    """Flags the open requests due for a reminder, and expires those past their date, as the
    system. Returns (reminders, expired). Running it twice a day changes nothing the second
    time."""
    today = today or timezone.localdate()
    calendar = working_days.calendar()
    open_requests = list(
        InformationRequest.objects.select_for_update()
        .filter(status=InformationRequestStatus.OPEN)
        .order_by("pk")
    )
    expired = [r for r in open_requests if r.due_on < today]
    reminders = [
        r
        for r in open_requests
        if r.due_on >= today
        and not r.reminder_due
        and working_days.count(today, r.due_on, calendar=calendar)
        <= settings.INFORMATION_REQUEST_REMINDER_DAYS
    ]
    for request in expired:
        request.status = InformationRequestStatus.EXPIRED
    for request in reminders:
        request.reminder_due = True
    system = history.system_user()
    history.save_many(
        expired,
        fields=["status"],
        by=system,
        reason=f"Expired: not answered by its due date, before {today:%Y-%m-%d}",
    )
    history.save_many(
        reminders,
        fields=["reminder_due"],
        by=system,
        reason=f"Reminder due: the due date is within "
        f"{settings.INFORMATION_REQUEST_REMINDER_DAYS} working days",
    )
    notices.requests_due(reminders)
    return len(reminders), len(expired)


@transaction.atomic
def set_missing_targets() -> int:
    """Gives a target date to pending applications recorded before targets existed."""
    applications = list(
        LicenceApplication.objects.select_for_update()
        .filter(status__in=LicenceApplication.PENDING_STATUSES, target_date__isnull=True)
        .order_by("pk")
    )
    for application in applications:
        application.target_date = target_date_for(application.submitted_at)
    history.save_many(
        applications,
        fields=["target_date"],
        by=history.system_user(),
        reason="Working-day target set from the submission date",
    )
    return len(applications)


# --- Notes --------------------------------------------------------------------------------------


@transaction.atomic
def add_note(
    *,
    application: LicenceApplication,
    by,
    text: str,
    shared: bool = False,
    at: datetime.datetime | None = None,
) -> CaseNote:
    """Appends a note to the case. Notes are never edited or removed."""
    text = _text(text, "text", "note")
    _require_official(by, "write a note on a case")
    note = CaseNote(
        application=application, author=by, text=text, shared=bool(shared), created_at=_now(at)
    )
    what = "Shared note" if note.shared else "Internal note"
    return history.save(note, by=by, reason=f"{what} added", at=at)
