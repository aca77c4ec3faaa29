"""Structured logs: one JSON object per line, so a log collector can index every field.

The request log (``registry.requests``) passes its fields as ``extra={"request": {...}}``; the
formatter puts them at the top level beside the time, level and message. Any line written while a
request or a Celery task it started is at work carries that request's id (and the task's id and
name), from ``registry.request_context``.
"""

import datetime
import json
import logging

from registry import request_context


class JsonFormatter(logging.Formatter):
    """Formats a record as a single JSON line. Non-JSON values are written as their ``str()``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "request", None)
        if isinstance(fields, dict):
            entry.update(fields)
        request_id = request_context.request_id()
        if request_id and "request_id" not in entry:
            entry["request_id"] = request_id
        task = request_context.task()
        if task:
            entry.update(task)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
