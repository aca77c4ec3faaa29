"""gunicorn's configuration for the registry: `gunicorn -c gunicorn.conf.py registry.wsgi`.

Every value can be set from the environment, so one file serves every host. The app keeps no
state of its own (sessions in PostgreSQL, caches and throttles in Redis), so workers and whole
instances can be added freely behind a load balancer.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Synchronous workers: each request holds one database connection for its whole length, which
# keeps PostgreSQL's connection count predictable (workers x instances).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# The app is loaded once, in the master, with its URLs and views (registry.wsgi), and every
# worker is forked from it ready to answer. Recycling a worker then costs a fork, not a fresh
# import of the whole app. A new release needs a restart of gunicorn, not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")
# Recycling workers bounds the memory any slow leak can take.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The app writes its own structured request log (registry.middleware); gunicorn's access log would
# repeat it. Errors still go to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the load balancer's addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_fields = 100


def post_fork(server, worker):
    """A worker must not share a database connection with the master or its siblings; the master
    opens none, and this makes sure. Without preload the worker has loaded nothing yet."""
    if not server.cfg.preload_app:
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, the metrics of every worker are added up from files in
    that folder (registry/metrics.py): a worker that exits leaves its counters, and its live
    gauges are marked dead. Empty the folder before each start (see docs/operations.md)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
