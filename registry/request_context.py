"""The request id of the work in progress, for logs: set by the request-log middleware for a web
request, and by ``registry.task_context`` for a Celery task started by one. Every JSON log line
written meanwhile carries it (``registry.json_logging``), so one change can be followed from the
request through its tasks to the webhook they deliver. Base layer."""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("registry_request_id", default=None)
_task: ContextVar[dict | None] = ContextVar("registry_task", default=None)


def request_id() -> str | None:
    return _request_id.get()


def task() -> dict | None:
    """``{"task_id": ..., "task_name": ...}`` inside a Celery task, else None."""
    return _task.get()


@contextlib.contextmanager
def bound(value: str | None, *, task: dict | None = None):
    """Within the block, ``request_id()`` answers ``value`` (and ``task()`` ``task``)."""
    token = _request_id.set(value)
    task_token = _task.set(task) if task is not None else None
    try:
        yield
    finally:
        _request_id.reset(token)
        if task_token is not None:
            _task.reset(task_token)


def set_for_task(value: str | None, task: dict):
    """For Celery's prerun/postrun signals, which cannot hold a ``with`` block open: returns the
    tokens that ``reset`` takes."""
    return _request_id.set(value), _task.set(task)


def reset(tokens) -> None:
    request_token, task_token = tokens
    _task.reset(task_token)
    _request_id.reset(request_token)
