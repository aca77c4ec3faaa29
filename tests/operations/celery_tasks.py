"""A task for the tests of the request id in task logs, declared as the apps declare theirs
(``celery.shared_task`` in a ``tasks`` module, logging with ``get_task_logger``). A worker of the
registry's own Celery app loads it with ``--include tests.operations.celery_tasks``."""

from celery import shared_task
from celery.utils.log import get_task_logger

log = get_task_logger(__name__)


@shared_task(name="tests.deliver_webhook")
def deliver_webhook(event: str) -> str:
    log.info("delivering %s", event)
    return event
