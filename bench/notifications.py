"""Outbox-to-delivery latency under a burst: ``python -m bench.notifications``.

A fresh PostgreSQL database (dropped at the end), a Redis broker, real Celery workers in their
own processes and an HTTPS receiver on the loopback. One whitelist revision suspends
``--licences`` licences (1,000 by default) of a vendor with a webhook: a burst of as many events,
committed at once. The latency of a delivery is from its event's time (the revision's commit,
to within its transaction) to the moment the worker recorded the receiver's 2xx. Prints the
median, the 99th percentile and the maximum, and writes them as JSON. Not a test: no goal is
checked, as times on a shared machine drift.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import drop_database, recreate_database, server_environment

ROOT = Path(__file__).resolve().parents[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="worker processes (prefork)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry_bench_outbox"
        ),
    )
    parser.add_argument(
        "--broker", default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7")
    )
    parser.add_argument("--output", default="")
    args = parser.parse_args(argv)

    import redis

    redis.Redis.from_url(args.broker).flushdb()
    recreate_database(args.database_url)
    env = server_environment(args.database_url)
    env.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        CELERY_BROKER_URL=args.broker,
        WEBHOOK_ALLOW_PRIVATE="true",
        NOTIFICATION_EMAILS="false",
        LOG_LEVEL="WARNING",
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from tests.support.receivers import HTTPSReceiver

    receiver = HTTPSReceiver().start()
    os.environ["WEBHOOK_CA_BUNDLE"] = env["WEBHOOK_CA_BUNDLE"] = str(receiver.ca_file)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("seed", stdout=io.StringIO())
        result = _run(args, env, receiver)
    finally:
        receiver.stop()
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)
    text = json.dumps(result, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 0


def _run(args, env, receiver) -> dict:
    from licenses import services
    from registry import roles
    from registry.accounts import services as accounts
    from registry.audit import history
    from tests.factories import licences_in_bulk, propose_removal, register_webhook

    system = history.system_user()

    def user(name, role, **extra):
        return accounts.create_user(
            by=system,
            reason="benchmark",
            username=name,
            role_names=[role],
            password="x" * 12,
            **extra,
        )

    official = user("bench-official", roles.OFFICIALS)
    senior, senior2 = (
        user("bench-senior", roles.SENIOR_OFFICIALS),
        user("bench-senior2", roles.SENIOR_OFFICIALS),
    )
    vendor = services.register_vendor(
        by=official,
        name="Bench Ltd",
        registration_number="99-1",
        contact_name="Bench",
        contact_email="bench@vendor.example",
    )
    vendor_user = user("bench-vendor", roles.VENDORS, vendor=vendor)
    product = services.register_product(
        vendor=vendor, by=vendor_user, name="P", control_entry="4D004", category="forensics"
    )
    licences_in_bulk(vendor=vendor, product=product, count=args.licences)
    register_webhook(vendor=vendor, by=vendor_user, url=f"{receiver.url}/ok")
    cut = propose_removal(code="FR", by=senior)

    with tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log") as log:
        return _burst(args, env, receiver, cut, senior2, log)


def _burst(args, env, receiver, cut, senior2, log) -> dict:
    from countries import services as countries_services
    from notifications.models import Delivery, DeliveryStatus

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "registry",
            "worker",
            "--pool=prefork",
            f"--concurrency={args.workers}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(5)  # the worker's processes are up and consuming
        started = time.monotonic()
        countries_services.approve_revision(revision=cut, by=senior2)
        committed = time.monotonic()
        deadline = committed + 600
        done = Delivery.objects.filter(status=DeliveryStatus.DELIVERED)
        while done.count() < args.licences and time.monotonic() < deadline:
            time.sleep(0.2)
        finished = time.monotonic()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    latencies = [
        (delivered - occurred).total_seconds()
        for occurred, delivered in done.values_list("event__occurred_at", "delivered_at")
    ]
    return {
        "benchmark": "outbox to delivery, burst",
        "command": "python -m bench.notifications",
        "events": args.licences,
        "delivered": len(latencies),
        "worker_processes": args.workers,
        "receiver_requests": len(receiver.received),
        "revision_seconds": round(committed - started, 2),
        "all_delivered_seconds_after_commit": round(finished - committed, 2),
        "latency_seconds": {
            "median": round(statistics.median(latencies), 3) if latencies else None,
            "p99": round(percentile(latencies, 0.99), 3) if latencies else None,
            "max": round(max(latencies), 3) if latencies else None,
        },
        "cpus": os.cpu_count(),
    }


if __name__ == "__main__":
    sys.exit(main())
