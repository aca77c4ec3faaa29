"""Real Celery workers for the tests marked ``celery_worker``.

Each worker is a ``celery -A registry worker`` process on the test's own database and on a Redis
database kept for these tests (``CELERY_TEST_BROKER_URL``, emptied first), started and stopped
(or killed) by the test. Without Redis the tests skip, which CI does not accept: ``.ci/run``
leaves ``celery_worker`` out of the skips it allows.
"""

import os
import time

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from registry.celery import app as celery_app
from tests.support.servers import CeleryWorker, database_url

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture
def broker():
    import redis

    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {BROKER} (CELERY_TEST_BROKER_URL) for a real Celery worker")
    client.flushdb()
    # This process queues to the broker too, instead of running tasks itself.
    celery_app.conf.update(broker_url=BROKER, task_always_eager=False)
    yield BROKER
    celery_app.conf.update(task_always_eager=True)
    celery_app.pool.force_close_all()
    # A closed pool stays closed, and kombu keeps its producer pools per broker: without a reset
    # the next task queued in this process, eager ones too, fails "Acquire on closed pool".
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    client.flushdb()


@pytest.fixture
def start_worker(broker, receiver, smtp, transactional_db):
    """``start_worker(name)``: a real worker on the test database; stopped at the end."""
    if connection.vendor != "postgresql":
        pytest.skip("a worker in another process needs the test database on PostgreSQL")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=database_url(connection.settings_dict),
        CELERY_BROKER_URL=broker,
        WEBHOOK_ALLOW_PRIVATE="true",
        WEBHOOK_CA_BUNDLE=str(receiver.ca_file),
        WEBHOOK_TIMEOUT="3",
        WEBHOOK_CONNECT_TIMEOUT="1",
        NOTIFICATIONS_SWEEP_SECONDS="1",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        PYTHONDONTWRITEBYTECODE="1",
    )
    workers: list[CeleryWorker] = []

    def start(name: str) -> CeleryWorker:
        worker = CeleryWorker(env, name)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition, *, timeout: float, what: str, worker=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    log = worker.output()[-4000:] if worker else ""
    raise AssertionError(f"Timed out waiting for {what}.\n{log}")
