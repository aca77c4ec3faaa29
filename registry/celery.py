"""The Celery application: the worker that delivers the outbox, and the periodic jobs.

Its configuration is Django's settings under ``CELERY_`` (``registry/settings.py``). Each app's
``tasks.py`` is found by ``autodiscover_tasks``, so a task is declared with
``celery.shared_task`` where its work is. Without ``CELERY_BROKER_URL`` every task runs in the
process that queues it (``task_always_eager``).

Run a worker with ``celery -A registry worker``, and the periodic jobs with
``celery -A registry beat`` (docs/notifications.md).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
