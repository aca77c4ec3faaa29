"""The request id carried from a web request into the Celery tasks it starts, and task failures
counted for the metrics.

``before_task_publish`` adds the current request id (``registry.request_context``) to the
message's headers; in the worker, ``task_prerun`` puts it back in context with the task's id and
name, so every JSON log line of the task (and of the webhook delivery it makes) names the request
that caused it; ``task_postrun`` clears it. A task run eagerly (``task_always_eager``, the tests)
is not published: it runs inside the request, whose id stays in context. ``task_failure`` counts
``registry_celery_task_failures``.

Celery's signals are global, so this works for whichever Celery app the project creates; it does
nothing when celery is not installed. Base layer.
"""

from __future__ import annotations

import logging

from registry import request_context

HEADER = "request_id"
log = logging.getLogger("registry.tasks")

try:
    from celery import signals
except ImportError:  # pragma: no cover - celery is in requirements.txt
    signals = None

_tokens: dict[str, object] = {}


def _add_request_id(sender=None, headers=None, **kwargs):
    request_id = request_context.request_id()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def _header_of(task) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, HEADER, None)
    if not value and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(HEADER)
    return value if isinstance(value, str) and value.isprintable() and len(value) <= 200 else None


def _enter(sender=None, task_id=None, task=None, **kwargs):
    task = task or sender
    request_id = _header_of(task) or request_context.request_id()
    name = getattr(task, "name", "")
    _tokens[task_id] = request_context.set_for_task(
        request_id, {"task_id": task_id, "task_name": name}
    )
    log.info("task %s started", name)


def _leave(sender=None, task_id=None, task=None, state=None, **kwargs):
    tokens = _tokens.pop(task_id, None)
    log.info("task %s ended: %s", getattr(task or sender, "name", ""), state)
    if tokens is not None:
        request_context.reset(tokens)


def _count_failure(sender=None, task_id=None, exception=None, **kwargs):
    from registry.metrics import TASK_FAILURES

    TASK_FAILURES.labels(getattr(sender, "name", "") or "unknown").inc()


def connect() -> bool:
    """Connects the handlers once; False when celery is not installed."""
    if signals is None:
        return False
    signals.before_task_publish.connect(_add_request_id, dispatch_uid="registry.task-request-id")
    signals.task_prerun.connect(_enter, dispatch_uid="registry.task-enter")
    signals.task_postrun.connect(_leave, dispatch_uid="registry.task-leave")
    signals.task_failure.connect(_count_failure, dispatch_uid="registry.task-failure")
    return True
