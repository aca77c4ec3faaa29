"""The Celery broker, as the health check and the metrics see it (``CELERY_BROKER_URL``).

Only reads: whether it answers, and how many messages wait in each queue (for Redis, the length
of the list Celery keeps per queue). Base layer.
"""

from __future__ import annotations

from django.conf import settings

TIMEOUT_SECONDS = 1.0


def url() -> str:
    return getattr(settings, "CELERY_BROKER_URL", "") or ""


def queues() -> list[str]:
    return [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "") or "celery"]


def _redis(broker_url: str):
    import redis

    return redis.Redis.from_url(
        broker_url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )


def problem() -> str | None:
    """None when the broker answers (or none is configured), else what went wrong."""
    broker_url = url()
    if not broker_url:
        return None
    try:
        if broker_url.startswith(("redis://", "rediss://", "unix://")):
            _redis(broker_url).ping()
        else:
            from kombu import Connection

            with Connection(broker_url, connect_timeout=TIMEOUT_SECONDS) as connection:
                connection.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    except Exception as error:  # any failure to reach it is the answer
        return f"{type(error).__name__}: {error}"
    return None


def queue_depths() -> dict[tuple[str, ...], float] | None:
    """Messages waiting per queue, for a Redis broker; None without one (no sample)."""
    broker_url = url()
    if not broker_url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = _redis(broker_url)
    return {(queue,): float(client.llen(queue)) for queue in queues()}
