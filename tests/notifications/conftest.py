"""Real Celery workers for the tests marked ``celery_worker``.

Each worker is a ``celery -A registry worker`` process on the test's own database and on a Redis
database kept for these tests (``CELERY_TEST_BROKER_URL``, emptied first), started and stopped
(or killed) by the test. Without Redis the tests skip, which CI does not accept: ``.ci/run``
leaves ``celery_worker`` out of the skips it allows.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from registry.celery import app as celery_app
from tests.support.servers import ROOT, database_url

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/7")


class Worker:
    def __init__(self, env: dict, name: str):
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by stop())
            prefix=f"celery-{name}-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "registry",
                "worker",
                "--beat",
                "--schedule",
                str(Path(tempfile.mkdtemp(prefix="beat-")) / "schedule"),
                "--pool=prefork",
                "--concurrency=2",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{name}@tests",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL to the worker and its children, as a crash or the OOM killer would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


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
    workers: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(env, name)
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
