"""A Celery app and task for the tests of the request id in task logs, configured as the
registry's own app is (broker from CELERY_BROKER_URL, Django's settings and logging)."""

import os

import django
from celery import Celery, shared_task
from celery.utils.log import get_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from django.conf import settings  # noqa: E402

app = Celery("registry-tests", broker=settings.CELERY_BROKER_URL or "memory://")
app.conf.update(
    task_default_queue=os.environ.get("TEST_CELERY_QUEUE", "celery"),
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=False,
)
log = get_task_logger(__name__)


@shared_task(name="tests.deliver_webhook")
def deliver_webhook(event: str) -> str:
    log.info("delivering %s", event)
    return event
