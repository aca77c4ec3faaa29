"""A Celery task's log lines carry the id of the request that started it, so one change can be
followed from the request to its webhook."""

import json
import logging
import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from celery import Celery
from django.http import HttpResponse
from django.test import RequestFactory

from registry.json_logging import JsonFormatter
from registry.middleware import RequestLogMiddleware
from tests.operations.celery_app import app, deliver_webhook
from tests.support.servers import ROOT

BROKER = "redis://127.0.0.1:6379/11"


class _Collect(logging.Handler):
    """The JSON lines of the loggers that settings.LOGGING sends to the JSON handler."""

    LOGGERS = ("registry.requests", "registry.tasks", "celery.task")

    def __init__(self):
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))

    def __enter__(self):
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc):
        for name in self.LOGGERS:
            logging.getLogger(name).removeHandler(self)


def test_an_eager_task_started_by_a_request_logs_with_its_request_id():
    app.conf.task_always_eager = True
    try:

        def view(request):
            deliver_webhook.delay("application.submitted")
            return HttpResponse("ok")

        request = RequestFactory().post("/api/v1/applications/", HTTP_X_REQUEST_ID="req-eager-1")
        with _Collect() as collected:
            response = RequestLogMiddleware(view)(request)
    finally:
        app.conf.task_always_eager = False
    assert response["X-Request-ID"] == "req-eager-1"
    lines = collected.lines
    task_lines = [line for line in lines if line.get("task_name") == "tests.deliver_webhook"]
    assert any(line["message"] == "delivering application.submitted" for line in task_lines)
    assert {line["request_id"] for line in task_lines} == {"req-eager-1"}
    assert all(line["task_id"] for line in task_lines)
    # The request's own line carries the same id.
    assert any(
        line["logger"] == "registry.requests" and line["request_id"] == "req-eager-1"
        for line in lines
    )


@pytest.mark.redis
def test_the_request_id_travels_in_the_message_headers_to_the_worker(settings):
    broker = redis.Redis.from_url(BROKER)
    try:
        broker.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {BROKER}")
    queue = f"tests-{uuid.uuid4().hex[:8]}"
    publisher = Celery("registry-publisher", broker=BROKER)  # as the web process sends it
    request_id = f"req-{uuid.uuid4().hex}"

    def view(request):
        publisher.send_task("tests.deliver_webhook", ("licence.suspended",), queue=queue)
        return HttpResponse("ok")

    RequestLogMiddleware(view)(RequestFactory().post("/x", HTTP_X_REQUEST_ID=request_id))
    (message,) = [json.loads(raw) for raw in broker.lrange(queue, 0, -1)]
    assert message["headers"]["request_id"] == request_id

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        CELERY_BROKER_URL=BROKER,
        TEST_CELERY_QUEUE=queue,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.operations.celery_app",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    found, seen = None, []
    deadline = time.monotonic() + 90
    try:
        for line in worker.stdout:
            seen.append(line)
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("message") == "delivering licence.suspended":
                    found = entry
                    break
            if time.monotonic() > deadline:
                break
    finally:
        worker.terminate()
        worker.wait(30)
        broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        broker.delete("_kombu.binding_deadlines")
        publisher.close()
    assert found is not None, "".join(seen[-40:])
    assert found["request_id"] == request_id
    assert found["task_name"] == "tests.deliver_webhook" and found["task_id"]
