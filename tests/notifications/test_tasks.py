"""The Celery application: every task of the beat schedule is found by autodiscovery, and
without a broker a task runs in the process that queues it."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from licenses import tasks as licence_tasks
from notifications.models import OutboxEvent
from registry.celery import app
from tests.factories import issue_licence


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "notifications.tasks.sweep",
        "licenses.tasks.casework_reminders",
        "licenses.tasks.expire_licences",
        "licenses.tasks.licences_expiring",
        "licenses.tasks.delivery_reports_overdue",
        "registry.audit.tasks.sign_checkpoint",
    }
    assert scheduled <= set(app.tasks)
    assert "notifications.tasks.deliver" in app.tasks


def test_without_a_broker_tasks_run_in_the_process():
    assert not settings.CELERY_BROKER_URL
    assert app.conf.task_always_eager


@pytest.mark.django_db
def test_the_periodic_jobs_run_their_services(vendor, vendor_user, product, official):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    assert licence_tasks.expire_licences.delay().get() == 0
    assert licence_tasks.casework_reminders.delay().get() == {
        "reminders": 0,
        "expired": 0,
        "targets": 0,
    }
    # Within 60 days of its end the licence is announced as expiring, once.
    from licenses.models import Licence
    from registry.audit import history

    licence.valid_until = timezone.localdate() + datetime.timedelta(days=45)
    history.save(licence, by=official, reason="shortened for the test")
    assert Licence.objects.get(pk=licence.pk).valid_until == licence.valid_until
    assert licence_tasks.licences_expiring.delay().get() == 1
    assert licence_tasks.licences_expiring.delay().get() == 0
    (event,) = OutboxEvent.objects.filter(type="licence.expiring")
    assert event.payload["data"]["days"] == 60
    assert event.payload["data"]["days_left"] == 45
