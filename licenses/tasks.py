"""The periodic jobs of licensing, run by Celery beat (``CELERY_BEAT_SCHEDULE``).

Each calls the same service as its daily command, as the system; each is safe to run again (it
finds nothing to do the second time the same day).
"""

from celery import shared_task
from django.contrib.auth import get_user_model

from licenses import events
from licenses.casework import mark_due_requests, set_missing_targets
from licenses.services import expire_licences as expire
from licenses.services import issue_missing_letters, send_overdue_report_reminders


@shared_task(name="licenses.tasks.casework_reminders")
def casework_reminders() -> dict:
    """``manage.py casework_reminders``: reminders due (request.reminder) and expired requests."""
    targets = set_missing_targets()
    reminders, expired = mark_due_requests()
    return {"reminders": reminders, "expired": expired, "targets": targets}


@shared_task(name="licenses.tasks.expire_licences")
def expire_licences() -> int:
    """``manage.py expire_licences``: licences past their validity."""
    return expire()


@shared_task(name="licenses.tasks.licences_expiring")
def licences_expiring() -> int:
    """``licence.expiring`` for the licences that end within 60 and 30 days."""
    return events.licences_expiring()


@shared_task(name="licenses.tasks.delivery_reports_overdue")
def delivery_reports_overdue() -> dict:
    """``manage.py delivery_reports_overdue``: the day's digest of overdue delivery reports."""
    sent = send_overdue_report_reminders()
    return {"licences": sent.licences, "officials": sent.officials, "vendors": sent.vendors}


@shared_task(name="licenses.tasks.issue_refusal_letters")
def issue_refusal_letters(application_ids: list[int], by_id: int) -> int:
    """The signed letters of the applications a whitelist revision refused, after it commits."""
    by = get_user_model().objects.get(pk=by_id)
    return issue_missing_letters(by=by, application_ids=application_ids)
