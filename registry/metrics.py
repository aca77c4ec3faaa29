"""Prometheus metrics: requests by view, database and cache timings, and gauges the apps plug in.

Counters and histograms are kept per process and written by ``prometheus-client``. Under gunicorn
each worker is a process: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder (emptied at every
start) and the workers write their values to files there, which the ``/metrics`` view of any
worker adds up (prometheus-client's multiprocess mode; ``gunicorn.conf.py`` marks an exited
worker's files dead). Without it each worker would answer only its own share.

Gauges of the registry's state (time since the last checkpoint, overdue cases, the broker's queue
depth, and later the outbox backlog or the age of the screening list) are not kept in any process:
each is a callback, registered once by the app that knows it (``register_gauge`` in its
``AppConfig.ready``), and read from the database or the broker when Prometheus scrapes. So every
worker answers the same, and an app built later plugs in without touching this module.

Labels never carry what a caller chose: a request is counted by the name of the URL pattern that
matched (``<unmatched>`` for a 404 on no pattern), its method from a fixed list, and its status,
so a hostile path cannot create new series. Base layer: no app is imported here.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"

REQUESTS = Counter(
    "registry_http_requests",
    "HTTP requests answered, by URL pattern name, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "registry_http_request_duration_seconds",
    "Time to answer a request, by URL pattern name and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DB_QUERIES = Histogram(
    "registry_db_query_duration_seconds",
    "Time of each SQL statement run while answering a request, by database alias.",
    ["database"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
)
CACHE_CALLS = Histogram(
    "registry_cache_operation_duration_seconds",
    "Time of each call to the shared cache while answering a request, by operation.",
    ["operation"],
    buckets=(0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5),
)
TASK_FAILURES = Counter(
    "registry_celery_task_failures",
    "Celery tasks that raised, by task name (counted in the worker: registry.task_context).",
    ["task"],
)


# --- Gauges read when Prometheus scrapes -------------------------------------------------------


@dataclass(frozen=True)
class Gauge:
    name: str
    documentation: str
    callback: Callable[[], float | None | dict[tuple[str, ...], float]]
    labels: tuple[str, ...] = ()


_gauges: dict[str, Gauge] = {}


def register_gauge(
    name: str,
    documentation: str,
    callback: Callable[[], float | None | dict[tuple[str, ...], float]],
    *,
    labels: tuple[str, ...] = (),
) -> None:
    """Adds a gauge read at each scrape. ``callback`` returns a number, None (no sample: the
    value is unknown, which an alert can tell from zero), or with ``labels`` a dict from label
    values to numbers. Registering a name again replaces it (apps are ready once, tests twice)."""
    _gauges[name] = Gauge(name, documentation, callback, tuple(labels))


def registered_gauges() -> list[str]:
    return sorted(_gauges)


class _Callbacks:
    """The registered gauges as one prometheus-client collector; one failing callback costs its
    own gauge only, and is counted in ``registry_metrics_gauge_errors``."""

    def collect(self):
        errors = GaugeMetricFamily(
            "registry_metrics_gauge_errors",
            "Gauges whose callback failed at this scrape (see the app's log).",
        )
        failed = 0
        for gauge in sorted(_gauges.values(), key=lambda g: g.name):
            try:
                value = gauge.callback()
            except Exception:
                log.exception("metrics gauge %s failed", gauge.name)
                failed += 1
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            if isinstance(value, dict):
                for label_values, number in sorted(value.items()):
                    family.add_metric(list(label_values), float(number))
            elif value is not None:
                family.add_metric([], float(value))
            yield family
        errors.add_metric([], failed)
        yield errors


def exposition() -> bytes:
    """The text Prometheus scrapes: this process's (or, in multiprocess mode, every worker's)
    counters and histograms, then the gauges read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(_Callbacks())
    return text + generate_latest(gauges)


CONTENT_TYPE = CONTENT_TYPE_LATEST


# --- Timings of a request ---------------------------------------------------------------------

_CACHE_OPERATIONS = (
    "get",
    "set",
    "add",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "incr",
    "decr",
    "touch",
    "has_key",
    "get_or_set",
)


def _timed_cache_call(operation: str, method):
    @functools.wraps(method)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            CACHE_CALLS.labels(operation).observe(time.perf_counter() - started)

    return timed


def instrument_cache(cache) -> None:
    """Times the calls of one cache backend instance (Django makes one per thread)."""
    if getattr(cache, "_registry_timed", False):
        return
    for operation in _CACHE_OPERATIONS:
        method = getattr(cache, operation, None)
        if method is not None:
            setattr(cache, operation, _timed_cache_call(operation, method))
    cache._registry_timed = True


def _query_timer(alias: str):
    histogram = DB_QUERIES.labels(alias)

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            histogram.observe(time.perf_counter() - started)

    return wrapper


def view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match._func_path


class MetricsMiddleware:
    """Counts and times every request by view, and its SQL and cache calls. Only installed when
    ``METRICS_TOKEN`` is set: without a scraper the registry pays nothing for it."""

    def __init__(self, get_response):
        if not getattr(settings, "METRICS_TOKEN", ""):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        instrument_cache(caches["default"])
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(_query_timer(connection.alias)))
            response = self.get_response(request)
        view = view_label(request)
        method = request.method if request.method in METHODS else "other"
        LATENCY.labels(view, method).observe(time.perf_counter() - started)
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response
