"""The registry's benchmarks, B1 to B8, on PostgreSQL: ``python -m bench`` (``--quick`` for CI).

Every figure is a ratio against a baseline measured in the same run, on the same machine, because
absolute times on shared machines drift: the bare Django view (the floor), the peer (the same API
written with stock Django REST framework and django-simple-history, ``bench.peer``), the naive
loop, or the same measurement at a smaller size.

The data grows in stages (``STAGES``): each stage's generator adds rows through the history
helpers' bulk paths, so every row has its chained history record, then the benchmarks of that
size run. A stage's database is kept as a PostgreSQL template named after the generator's version
(a hash of the generators, the stages, the sizes and the migrations): the next run with the same
version copies it instead of generating it again (``--no-cache`` builds from scratch).

HTTP benchmarks (B1, B2, B7) run the app under gunicorn with DEBUG off, as production does, and
load it from a separate process (``bench.loadgen``). The baselines exist only because this command
starts that server with ``DJANGO_SETTINGS_MODULE=bench.settings``. The others run in this process,
on the same database, timing the services, selectors and commands directly.
"""

import argparse
import contextlib
import datetime
import functools
import hashlib
import http.client
import importlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.sizes import PRESETS, QUICK, Sizes

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
CUT_DAY = datetime.datetime(2021, 11, 25, tzinfo=datetime.UTC)


# --- Database and environment -----------------------------------------------------------------


def _admin_connection(url):
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection, parts.path.lstrip("/")


def recreate_database(url: str) -> None:
    connection, name = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def database_exists(url: str, name: str) -> bool:
    connection, _ = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    connection.close()
    return found


def copy_database(url: str, source: str, target: str, *, tries: int = 5) -> None:
    """``CREATE DATABASE target TEMPLATE source``: a file copy, seconds for gigabytes.

    The source must have no session open: an autovacuum worker that started on the freshly
    written tables is ended (it starts again later) and the copy tried again.
    """
    import psycopg2

    connection, _ = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            for attempt in range(tries):
                try:
                    # FILE_COPY: a checkpoint and a copy of the files, rather than every
                    # block through the write-ahead log (PostgreSQL 15's default).
                    cursor.execute(
                        f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY'
                    )
                    return
                except psycopg2.errors.ObjectInUse:
                    if attempt == tries - 1:
                        raise
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        [source],
                    )
                    time.sleep(1)
    finally:
        connection.close()


def drop_templates(url: str, *, keep_version: str) -> list[str]:
    """Drops the kept stages of other generator versions of this database."""
    connection, name = _admin_connection(url)
    dropped = []
    with connection.cursor() as cursor:
        # Compared as a prefix, not with LIKE: "_" is LIKE's any-character, so "bench_a__%"
        # would also take "bench_ab__…", the stages of another database.
        cursor.execute("SELECT datname FROM pg_database")
        for (found,) in cursor.fetchall():
            if found.startswith(f"{name}__") and not found.startswith(f"{name}__{keep_version}__"):
                cursor.execute(f'DROP DATABASE IF EXISTS "{found}" WITH (FORCE)')
                dropped.append(found)
    connection.close()
    return dropped


def drop_database(url: str) -> None:
    connection, name = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


KEYS = {"folder": None, "audit_key": None, "secret_key": secrets.token_urlsafe(50)}


def use_keys(version: str | None) -> None:
    """The chain's key and the checkpoint signing key of this run's data.

    With a version (kept stages), both belong to that version of the data, kept in a folder of
    its own beside the other temporary files, so a copied stage's chain and checkpoints still
    verify; without, they are new for this run.
    """
    if version is None:
        KEYS["folder"] = tempfile.mkdtemp(prefix="bench-audit-key-")
        KEYS["audit_key"] = secrets.token_urlsafe(32)
        return
    KEYS["folder"] = os.path.join(tempfile.gettempdir(), f"registry-bench-{version}")
    os.makedirs(KEYS["folder"], mode=0o700, exist_ok=True)
    key_file = os.path.join(KEYS["folder"], "audit-key")
    if not os.path.exists(key_file):
        with open(key_file, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    with open(key_file) as handle:
        KEYS["audit_key"] = handle.read().strip()


@functools.cache
def _signing_key() -> str:
    """A checkpoint signing key, as production requires one; its public key beside it."""
    from registry.audit import signing

    if KEYS["folder"] is None:
        use_keys(None)
    path = os.path.join(KEYS["folder"], "audit-signing.key")
    if not os.path.exists(path):
        key = signing.Signer.generate("bench/audit")
        with open(path, "w") as handle:
            handle.write(f"{key}\n")
        with open(f"{path}.pub", "w") as handle:
            handle.write(f"{key.verifier}\n{key.verifier.pem()}")
    return path


def _document_signing_pair() -> tuple[str, str]:
    """The agency's document-signing key and certificate (a development pair made once), as
    production signs its letters with one."""
    from documents.signing import make_development_pair

    if KEYS["folder"] is None:
        use_keys(None)
    key_path = os.path.join(KEYS["folder"], "document-signing.key.pem")
    cert_path = os.path.join(KEYS["folder"], "document-signing.cert.pem")
    if not (os.path.exists(key_path) and os.path.exists(cert_path)):
        key, cert = make_development_pair(common_name="Benchmark signer")
        Path(key_path).write_bytes(key)
        Path(cert_path).write_bytes(cert)
    return key_path, cert_path


def server_environment(database_url: str) -> dict:
    """Production settings for the benchmark's own processes, on plain HTTP on the loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": KEYS["secret_key"],
        "AUDIT_KEY": KEYS["audit_key"] or use_keys(None) or KEYS["audit_key"],
        "AUDIT_SIGNING_KEY_FILE": _signing_key(),
        "SIGNING_KEY_FILE": _document_signing_pair()[0],
        "SIGNING_CERT_FILE": _document_signing_pair()[1],
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "OTP_REQUIRED": "false",  # B5's clients sign in without the second factor's step
        "LOG_LEVEL": "WARNING",
        "REQUEST_LOG_LEVEL": "WARNING",
        # Throttles and caches in Redis, as in production; the rate is raised so that the
        # benchmark measures the throttle's cost, not its refusals.
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/6"),
        "API_THROTTLE_RATE": "100000000/minute",
    }


# --- Helpers ----------------------------------------------------------------------------------


def timed(function, *, repeat=1):
    """The median wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


@contextlib.contextmanager
def queued_to_broker():
    """Celery tasks queued to Redis (``BENCH_BROKER_URL``, a database of the bench's own, emptied
    after) instead of run in the process that queues them, as with no broker configured."""
    import redis
    from kombu import pools

    from registry.celery import app

    def forget_connections():
        # Celery keeps its connection and producer pools, made for the broker of the moment
        # they were first used: without this the tasks go to that broker, not to ``url``.
        app.pool.force_close_all()
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    url = broker_url()
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    forget_connections()
    app.conf.task_always_eager, app.conf.broker_url = False, url
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.broker_url = eager, broker
        forget_connections()
        redis.Redis.from_url(url).flushdb()


def broker_url() -> str:
    """The Redis database the benchmark's Celery worker and servers share, emptied before and
    after each use."""
    return os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")


@contextlib.contextmanager
def celery_worker(database_url: str):
    """The Celery worker production runs beside the servers, on the benchmark's database: what a
    request or a revision leaves for after the commit (the outbox's deliveries, refusal
    letters) is done there, not in the request. As many processes as the machine has cores
    (Celery's own default, ``celery -A registry worker`` as the operations guide runs it), so a
    revision's letters are signed while its events are fanned out; no beat: the periodic tasks
    would be load that no benchmark asks for."""
    import redis

    from tests.support.servers import CeleryWorker

    client = redis.Redis.from_url(broker_url())
    env = dict(os.environ, **server_environment(database_url), CELERY_BROKER_URL=broker_url())
    ping = [sys.executable, "-m", "celery", "-A", "registry", "inspect", "ping", "-t", "2"]

    def answered() -> bool:
        return subprocess.run(ping, env=env, capture_output=True, timeout=60).returncode == 0

    # Another run's worker would take the tasks, with its own database's settings; checked
    # before anything is emptied, so a refused run leaves the other run's queue as it was.
    if answered():
        raise RuntimeError(f"a Celery worker already consumes {broker_url()}: stop it first")
    client.flushdb()
    worker = CeleryWorker(env, "bench", beat=False, concurrency=os.cpu_count() or 1)
    try:
        deadline = time.monotonic() + 90
        while not answered():
            if worker.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start:\n{worker.output()}")
        yield worker
    finally:
        worker.stop()
        if not os.environ.get("BENCH_KEEP_WORKER_LOG"):
            Path(worker.log.name).unlink(missing_ok=True)
        client.flushdb()


def worker_done(done, *, timeout: float = 1800) -> float:
    """Seconds until ``done()`` holds three looks in a row (a fifth of a second apart)."""
    started = time.perf_counter()
    quiet = 0
    while time.perf_counter() - started < timeout:
        quiet = quiet + 1 if done() else 0
        if quiet >= 3:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise RuntimeError(f"the Celery worker had not done its work after {timeout} s")


def counted(function):
    """Wall time and the number of SQL statements sent, and the result."""
    from django.db import connection

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - started
    return elapsed, statements, result


def ratio(numerator, denominator):
    return round(numerator / denominator, 3) if denominator else None


def user_in(role, username, **extra):
    from registry.accounts import services
    from registry.audit import history
    from registry.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.create_user(
            by=history.system_user(),
            reason="Benchmark account",
            username=username,
            role_names=[role],
            **extra,
        )
    return user


# --- B1 and B2: HTTP throughput against the bare view and the peer --------------------------


def load(url, *, seconds, method="GET", headers=(), body=None, concurrency=8, warmup=1.0):
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--method",
        method,
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
        "--concurrency",
        str(concurrency),
    ]
    for header in headers:
        command += ["--header", header]
    if body is not None:
        command += ["--body", body]
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + warmup + 120
    )
    if result.returncode:
        raise RuntimeError(f"load generator failed: {result.stderr}")
    return json.loads(result.stdout)


class LockWaits:
    """Samples, 20 times a second, which statements of the server wait on a lock, by the table
    they name: the evidence of what serialises submissions (the chain's head, the reference
    counter). A separate connection, reading ``pg_stat_activity`` only."""

    TABLES = ("registry_auditchainhead", "registry_referencecounter", "audit_tree_node")

    def __init__(self, url: str):
        self.url = url
        self.samples = 0
        self.waiting = dict.fromkeys((*self.TABLES, "other"), 0)
        self.stop = None

    def __enter__(self):
        import threading

        connection, name = _admin_connection(self.url)
        self.stop = threading.Event()

        def sample():
            with connection.cursor() as cursor:
                while not self.stop.wait(0.05):
                    cursor.execute(
                        "SELECT query FROM pg_stat_activity WHERE datname = %s "
                        "AND wait_event_type = 'Lock'",
                        [name],
                    )
                    self.samples += 1
                    for (query,) in cursor.fetchall():
                        table = next((t for t in self.TABLES if t in query), "other")
                        self.waiting[table] += 1
            connection.close()

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)

    def result(self) -> dict:
        """Mean number of statements waiting on each table's lock at a sampled instant."""
        return {
            table: round(count / self.samples, 2) if self.samples else None
            for table, count in self.waiting.items()
        }


def alternate(
    server, sizes, specs: dict, *, concurrency: int, sample_locks: str = "", database_url=""
) -> dict[str, list[dict]]:
    """Loads each spec in turn, ``http_rounds`` times: drift on a shared machine hits all alike.
    The runs of ``sample_locks`` carry the lock waits sampled while they ran."""
    import contextlib

    rounds = {name: [] for name in specs}
    for _ in range(sizes.http_rounds):
        for name, spec in specs.items():
            spec = dict(spec)
            path = spec.pop("path")
            # "{load}": a token new to each load, so no key is sent twice over the rounds and
            # runs (a repeated Idempotency-Key would be answered from its stored reply).
            load_token = secrets.token_hex(6)
            spec["headers"] = [h.replace("{load}", load_token) for h in spec.get("headers", ())]
            sampler = LockWaits(database_url) if name == sample_locks else None
            with sampler or contextlib.nullcontext():
                run = load(
                    server.url + path,
                    seconds=sizes.http_seconds,
                    warmup=sizes.http_warmup,
                    concurrency=concurrency,
                    **spec,
                )
            if sampler is not None:
                run["lock_waits"] = sampler.result()
            expected = "201" if spec.get("method") == "POST" else "200"
            if set(run["statuses"]) != {expected}:
                raise RuntimeError(
                    f"{name} {path}: expected only {expected}, got {run['statuses']} "
                    f"{run['failures']}"
                )
            rounds[name].append(run)
    return rounds


def median_round(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["throughput"])[len(runs) // 2]


def errors_in(runs) -> int:
    return sum(
        n
        for run in runs
        for status, n in run["statuses"].items()
        if status == "error" or status.startswith("5")
    )


def ratio_of(rounds, numerator, denominator) -> dict:
    """The ratio of the median rounds, and its spread over the rounds (each round's own)."""
    each = [
        ratio(a["throughput"], b["throughput"])
        for a, b in zip(rounds[numerator], rounds[denominator], strict=True)
    ]
    value = ratio(
        median_round(rounds[numerator])["throughput"],
        median_round(rounds[denominator])["throughput"],
    )
    return {"value": value, "rounds": each, "spread": [min(each), max(each)] if each else None}


def figures(run: dict) -> dict:
    keys = ("throughput", "p50_ms", "p99_ms", "mean_ms", "requests", "statuses")
    return {key: run[key] for key in keys}


def http_setup():
    """The vendor, product and tokens of the HTTP benchmarks, and the submission body."""
    from django.core.management import call_command

    from bench import data
    from bench.peer import setup as peer_setup
    from registry import roles
    from registry.audit.history import system_user

    system = system_user()
    user = user_in(roles.VENDORS, "bench-vendor")
    if user.vendor_id is None:
        [product] = data.vendors_with_products(1, by=system)
        user = user_in(roles.VENDORS, "bench-vendor-2", vendor=product.vendor)
    from licenses.models import Product

    product = Product.objects.filter(vendor_id=user.vendor_id).order_by("pk").first()
    output = io.StringIO()
    call_command("issue_token", user.get_username(), stdout=output)
    token = output.getvalue().strip().splitlines()[-1].strip()
    submission = json.dumps(
        {
            "licence_type": "marketing",
            "product": product.reference,
            "destination": "FR",
            "end_user": {"name": "Police nationale", "kind": "law_enforcement"},
            "end_use": "Lawful interception in serious-crime investigations.",
            "value": "250000.00",
            "currency": "EUR",
        }
    )
    return {
        "registry": f"Authorization: Token {token}",
        "peer": f"Authorization: Token {peer_setup.stock_token(user)}",
        "submission": submission,
    }


def b1_b2(database_url, sizes):
    """B1 and B2, ``http_runs`` times, each run on a freshly started gunicorn and worker: the
    median run's figures are kept, and each ratio's value over the runs is shown."""
    auth = http_setup()
    runs = []
    for number in range(sizes.http_runs):
        print(f"    HTTP run {number + 1} of {sizes.http_runs}", file=sys.stderr, flush=True)
        runs.append(b1_b2_run(database_url, sizes, auth))
    return across_runs(runs)


def _over_runs(values: list) -> dict:
    return {
        "value": statistics.median(values) if values else None,
        "runs": values,
        "spread": [min(values), max(values)] if values else None,
    }


def _median_run(runs: list[dict], value) -> dict:
    return sorted(runs, key=value)[len(runs) // 2]


def across_runs(runs: list[dict]) -> dict:
    """One B1 and one B2 from several runs: each ratio is the median of the runs' own (paired
    within a run), its spread the lowest and highest run; the figures beside it (throughput,
    latencies, lock waits) are the run whose ratio to the peer is the median."""
    results = {}
    b1 = [run["B1"] for run in runs]
    kept = _median_run(b1, lambda r: r["vs_peer"]["value"])
    vs_peer = _over_runs([r["vs_peer"]["value"] for r in b1])
    vs_bare = _over_runs([r["vs_bare"]["value"] for r in b1])
    errors = sum(r["server_errors"] for r in b1)
    results["B1"] = {
        **kept,
        "runs": len(b1),
        "vs_peer": vs_peer,
        "vs_bare": vs_bare,
        "server_errors": errors,
        "met": (vs_peer["value"] or 0) >= 2 and (vs_bare["value"] or 0) >= 0.7 and not errors,
    }
    b2 = [run["B2"] for run in runs]
    by_concurrency = {}
    for clients in b2[0]["by_concurrency"]:
        rows = [r["by_concurrency"][clients] for r in b2]
        kept = _median_run(rows, lambda r: r["vs_peer"]["value"])
        by_concurrency[clients] = {
            **kept,
            "vs_peer": _over_runs([r["vs_peer"]["value"] for r in rows]),
            "vs_bare": _over_runs([r["vs_bare"]["value"] for r in rows]),
            "server_errors": sum(r["server_errors"] for r in rows),
            "created": {name: sum(r["created"][name] for r in rows) for name in kept["created"]},
        }
    results["B2"] = {"runs": len(b2), **b2_result(by_concurrency)}
    return results


def b2_result(by_concurrency: dict) -> dict:
    """B2 from its rows by number of clients: how throughput scales from the fewest clients to
    the most, and whether the registry kept up with the peer at every concurrency."""
    lowest, highest = min(by_concurrency, key=int), max(by_concurrency, key=int)

    def scaling(name):
        return ratio(
            by_concurrency[highest][name]["throughput"],
            by_concurrency[lowest][name]["throughput"],
        )

    errors = sum(row["server_errors"] for row in by_concurrency.values())
    return {
        "by_concurrency": by_concurrency,
        "scaling": {
            "clients": f"{lowest} -> {highest}",
            "registry": scaling("registry"),
            "peer": scaling("peer"),
            "bare": scaling("bare"),
        },
        "server_errors": errors,
        "goal": "throughput >= 1x the peer's plain create at every concurrency",
        "met": not errors
        and all((row["vs_peer"]["value"] or 0) >= 1 for row in by_concurrency.values()),
    }


def b1_b2_run(database_url, sizes, auth):
    """One run of B1 and B2 on a gunicorn started for it, with the Celery worker beside it: a
    submission's events leave the request through the broker, as in production."""
    from registry.api import API_V1_PREFIX
    from tests.support.servers import Gunicorn

    body = auth["submission"]
    env = dict(os.environ, **server_environment(database_url), CELERY_BROKER_URL=broker_url())
    results = {}
    with (
        celery_worker(database_url),
        Gunicorn(env=env, workers=int(os.environ.get("BENCH_WORKERS", "3"))) as server,
    ):
        rounds = alternate(
            server,
            sizes,
            {
                "bare": {"path": "/bench/constant/"},
                "peer": {"path": "/bench/peer/api/countries/FR/", "headers": [auth["peer"]]},
                "registry": {
                    "path": f"{API_V1_PREFIX}countries/FR/",
                    "headers": [auth["registry"]],
                },
            },
            concurrency=8,
        )
        vs_peer = ratio_of(rounds, "registry", "peer")
        vs_bare = ratio_of(rounds, "registry", "bare")
        errors = errors_in(run for runs in rounds.values() for run in runs)
        results["B1"] = {
            "concurrency": 8,
            "vs_peer": vs_peer,
            "vs_bare": vs_bare,
            "registry": figures(median_round(rounds["registry"])),
            "peer": figures(median_round(rounds["peer"])),
            "bare": figures(median_round(rounds["bare"])),
            "server_errors": errors,
            "goal": "throughput >= 2x the peer's and >= 0.7 of the bare view's",
            "met": (vs_peer["value"] or 0) >= 2 and (vs_bare["value"] or 0) >= 0.7 and not errors,
        }

        by_concurrency = {}
        for clients in sizes.concurrency:
            rounds = alternate(
                server,
                sizes,
                {
                    "bare": {"path": "/bench/insert/", "method": "POST", "body": body},
                    "peer": {
                        "path": "/bench/peer/api/applications/",
                        "method": "POST",
                        "headers": [auth["peer"]],
                        "body": body,
                    },
                    "registry": {
                        "path": f"{API_V1_PREFIX}applications/",
                        "method": "POST",
                        "headers": [auth["registry"], "Idempotency-Key: bench-{load}-{n}"],
                        "body": body,
                    },
                },
                concurrency=clients,
                sample_locks="registry",
                database_url=database_url,
            )
            by_concurrency[str(clients)] = {
                "registry_lock_waits": median_round(rounds["registry"]).get("lock_waits"),
                "vs_peer": ratio_of(rounds, "registry", "peer"),
                "vs_bare": ratio_of(rounds, "registry", "bare"),
                "registry": figures(median_round(rounds["registry"])),
                "peer": figures(median_round(rounds["peer"])),
                "bare": figures(median_round(rounds["bare"])),
                "server_errors": errors_in(run for runs in rounds.values() for run in runs),
                "created": {
                    name: sum(run["statuses"].get("201", 0) for run in runs)
                    for name, runs in rounds.items()
                },
            }
        results["B2"] = b2_result(by_concurrency)
    return results


# --- B3: a revision removing destinations -----------------------------------------------------


def data_2018_members():
    from countries.seeding import load_fixture

    return [member["code"] for member in load_fixture("whitelist-2018.json")["members"]]


def b3_destinations() -> tuple[set[str], set[str]]:
    """The 37 countries of the 2021 list, and the 65 of the 2018 list it removed."""
    from countries.seeding import load_fixture

    kept = {member["code"] for member in load_fixture("whitelist-2021.json")["members"]}
    return kept, set(data_2018_members()) - kept


def b3_build(sizes, *, chunk=50_000):
    """The 102 restored through the real service, then ``licences`` active licences,
    ``affected`` of them to the 65 the cut will remove, and ``pending_affected`` pending
    applications to those (screened again by the revision)."""
    from bench import data
    from countries.models import Country
    from countries.services import approve_revision, propose_revision
    from licenses.models import Licence, LicenceApplication, Party
    from registry import roles
    from registry.audit.history import system_user

    system = system_user()
    proposer = user_in(roles.OFFICIALS, "bench-official")
    approver = user_in(roles.SENIOR_OFFICIALS, "bench-senior")
    kept, removed = b3_destinations()
    restore = propose_revision(
        by=proposer,
        title="bench: restore the 102",
        reason="Benchmark setup",
        add=sorted(removed),
        remove=[],
        licence_treatment="suspend",
    )
    approve_revision(revision=restore, by=approver, note="bench setup")
    products = data.vendors_with_products(50, by=system)
    to_removed = list(Country.objects.filter(code__in=removed))
    to_kept = list(Country.objects.filter(code__in=kept))
    tables = data.tables_of(Licence, LicenceApplication, Party)
    with data.indexes_rebuilt_after(tables, rows=sizes.licences):
        for count, destinations in (
            (sizes.affected, to_removed),
            (sizes.licences - sizes.affected, to_kept),
        ):
            for start in range(0, count, chunk):
                size = min(chunk, count - start)
                data.active_licences(size, products=products, destinations=destinations, by=system)
        data.applications(
            sizes.pending_affected, products=products, destinations=to_removed, by=system
        )
    return {"kept": sorted(kept), "removed": sorted(removed)}


def b3(sizes, database_url):
    from django.db import transaction

    from countries.services import approve_revision, propose_revision
    from documents.models import IssuedKind
    from licenses.models import ApplicationStatus, Licence, LicenceApplication, LicenceStatus
    from notifications.models import OutboxEvent
    from registry import roles
    from registry.audit import history

    proposer = user_in(roles.OFFICIALS, "bench-official")
    approver = user_in(roles.SENIOR_OFFICIALS, "bench-senior")
    kept, removed = b3_destinations()
    affected = Licence.objects.filter(
        status=LicenceStatus.ACTIVE, application__destination__code__in=removed
    )
    affected_count = affected.count()
    licences = Licence.objects.count()
    pending = LicenceApplication.objects.filter(
        status__in=LicenceApplication.PENDING_STATUSES, destination__code__in=removed
    ).count()

    sample_pks = list(affected.order_by("pk").values_list("pk", flat=True)[: sizes.naive_sample])

    def naive():
        with transaction.atomic():
            for pk in sample_pks:
                licence = Licence.objects.select_for_update().get(pk=pk)
                licence.status = LicenceStatus.SUSPENDED
                history.save(licence, by=approver, reason="naive: suspended one by one")
            transaction.set_rollback(True)

    naive_seconds, naive_queries, _ = counted(naive)
    naive_extrapolated = naive_seconds * affected_count / max(1, len(sample_pks))

    cut = propose_revision(
        by=proposer,
        title="bench: the cut from 102 to 37",
        reason="Benchmark",
        add=[],
        remove=sorted(removed),
        licence_treatment="suspend",
    )
    # As production runs it: what the revision leaves to the worker after it commits (the
    # events' deliveries, the refusal letters) is queued to the broker, not run in this process;
    # the worker's own time, from the commit until it has done all of it, is shown beside.
    with celery_worker(database_url), queued_to_broker():
        seconds, queries, _ = counted(lambda: approve_revision(revision=cut, by=approver, note="b"))
        refused = LicenceApplication.objects.filter(
            rescreened_by_revision=cut, status=ApplicationStatus.REFUSED
        )
        owed = refused.count()

        def letters_signed():
            return refused.filter(issued_documents__kind=IssuedKind.REFUSAL_LETTER).count()

        def letters_and_fan_out_done():
            fanned_out = not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
            return fanned_out and letters_signed() == owed

        # The worker's part: every letter signed and every event fanned out to its deliveries.
        # The deliveries themselves (an email a suspended licence) go on after it, as they would.
        worker_seconds = worker_done(letters_and_fan_out_done)
        letters = letters_signed()

    suspended = Licence.objects.filter(
        status=LicenceStatus.SUSPENDED, application__destination__code__in=removed
    )
    suspended_ids = set(suspended.values_list("pk", flat=True))
    recorded = set(
        Licence.history.filter(
            status=LicenceStatus.SUSPENDED,
            history_change_reason__contains=cut.reference,
            id__in=suspended_ids,
        ).values_list("id", flat=True)
    )
    rescreened = LicenceApplication.objects.filter(
        destination__code__in=removed, rescreened_by_revision=cut
    ).count()
    still_pending = LicenceApplication.objects.filter(
        status=ApplicationStatus.SUBMITTED, destination__code__in=removed
    ).count()
    untouched = Licence.objects.filter(
        status=LicenceStatus.ACTIVE, application__destination__code__in=kept
    ).count()
    factor = ratio(naive_extrapolated, seconds)
    every_recorded = len(suspended_ids) == affected_count and recorded == suspended_ids
    return {
        "service": "countries.services.approve_revision",
        "licences": licences,
        "affected": affected_count,
        "pending_applications_affected": pending,
        "seconds": round(seconds, 3),
        "queries": queries,
        "naive_sample": len(sample_pks),
        "naive_sample_seconds": round(naive_seconds, 3),
        "naive_sample_queries": naive_queries,
        "naive_extrapolated_seconds": round(naive_extrapolated, 3),
        "speedup_vs_naive": factor,
        "suspended": len(suspended_ids),
        "suspended_with_history_record": len(recorded),
        "applications_rescreened": rescreened,
        "refusal_letters_issued_by_the_worker": letters,
        "worker_seconds_after_the_commit": round(worker_seconds, 3),
        "applications_still_submitted": still_pending,
        "licences_to_kept_countries_still_active": untouched,
        "hooks": hooks_present(),
        "goal": "< 30 s and >= 10x faster than the naive loop; every suspension recorded",
        "met": seconds < 30 and (factor or 0) >= 10 and every_recorded,
    }


def hooks_present() -> dict:
    """Which of the revision's later effects exist in this tree (they run inside the service
    when they do, so B3's time includes them)."""
    from django.apps import apps

    found = {}
    for name, app in (("events", "notifications"), ("party_screening", "screening")):
        found[name] = apps.is_installed(app)
    return found


# --- B4: the whitelist in the past ------------------------------------------------------------


def trail_size() -> int:
    """History records in the trail: the chain's head numbers them."""
    from registry.audit.models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).first()
    return head.last_seq if head else 0


def grow_trail(target: int) -> int:
    """Adds chained country history records until the trail holds ``target`` records."""
    from bench import data
    from registry.audit.history import system_user

    missing = target - trail_size()
    if missing > 0:
        data.chained_country_history(missing, by=system_user())
    return trail_size()


def b4_point():
    from countries.models import Country
    from countries.selectors import whitelist_as_of

    at = datetime.datetime(2021, 11, 1, tzinfo=datetime.UTC)
    expected = set(data_2018_members())

    def ours():
        return {c.code for c in whitelist_as_of(at)}

    def simple_history():
        return {c.code for c in Country.history.as_of(at) if c.eligible}

    seconds, result = timed(ours, repeat=5)
    theirs_seconds, theirs = timed(simple_history, repeat=3)
    return {
        "history_records": trail_size(),
        "country_history_records": Country.history.count(),
        "seconds": round(seconds, 4),
        "simple_history_as_of_seconds": round(theirs_seconds, 4),
        "speedup_vs_simple_history": ratio(theirs_seconds, seconds),
        "correct": result == expected and theirs == expected,
    }


def b4_result(points):
    from countries.selectors import whitelist_as_of

    growth = ratio(points[-1]["seconds"], points[0]["seconds"])
    return {
        "function": f"{whitelist_as_of.__module__}.{whitelist_as_of.__name__}",
        "as_of": "2021-11-01",
        "sizes": points,
        "growth_largest_vs_smallest": growth,
        "goal": "largest size no more than 2x the smallest; answer correct at every size",
        "met": growth is not None and growth <= 2 and all(p["correct"] for p in points),
    }


# --- B5: the review queue and the audit timeline --------------------------------------------

PAGES = {
    "review_queue": ("official", "/applications/"),
    "queue_search_sorted": (
        "official",
        "/applications/?q=Bench+product+1&sort=-vendor&per_page=100",
    ),
    "queue_filtered": ("official", "/applications/?destination=FR&sort=-submitted"),
    "audit_timeline": ("auditor", "/audit/"),
    "audit_timeline_filtered": ("auditor", "/audit/?kind=licence"),
}


def pending_applications(target: int) -> int:
    """Adds pending applications until ``target`` wait in the queue."""
    from bench import data
    from countries.models import Country
    from licenses.models import LicenceApplication, Party, Product
    from registry.audit.history import system_user

    pending = LicenceApplication.objects.filter(status__in=LicenceApplication.PENDING_STATUSES)
    missing = target - pending.count()
    if missing > 0:
        products = list(Product.objects.filter(reference__startswith="PRD-200")[:20])
        if not products:
            products = data.vendors_with_products(20, by=system_user())
        france = [Country.objects.get(code="FR")]
        with data.indexes_rebuilt_after(data.tables_of(LicenceApplication, Party), rows=missing):
            for start in range(0, missing, 50_000):
                data.applications(
                    min(50_000, missing - start),
                    products=products,
                    destinations=france,
                    by=system_user(),
                )
    return pending.count()


def b5_point():
    from django.db import connection
    from django.test import Client

    from licenses.models import LicenceApplication, Party, Product, Vendor
    from registry import roles

    # The tables as autovacuum leaves them after a bulk load: a stage copied or generated a
    # moment ago has no statistics for its newest rows, and its visibility map marks none of the
    # queue's pages all-visible (so no index-only scan); no production database plans without
    # them. The queue's tables are vacuumed, the rest only analysed: vacuuming 10M history
    # records would add minutes to the run for no page here.
    with connection.cursor() as cursor:
        for model in (LicenceApplication, Party, Product, Vendor):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute("ANALYZE")

    users = {
        "official": user_in(roles.OFFICIALS, "bench-queue-official"),
        "auditor": user_in(roles.AUDITORS, "bench-auditor"),
    }
    row = {
        "applications": LicenceApplication.objects.count(),
        "pending_applications": LicenceApplication.objects.filter(
            status__in=LicenceApplication.PENDING_STATUSES
        ).count(),
        "history_records": trail_size(),
    }
    for name, (who, path) in PAGES.items():
        client = Client()
        client.force_login(users[who])
        client.get(path)  # warm: templates compiled, connection open
        runs = [counted(lambda c=client, p=path: c.get(p)) for _ in range(3)]
        _, queries, response = runs[-1]
        row[name] = {
            "path": path,
            "status": response.status_code,
            "seconds": round(statistics.median(run[0] for run in runs), 4),
            "queries": queries,
        }
    return row


def b5_result(small, large):
    pages = {}
    for name in PAGES:
        pages[name] = {
            "queries": [small[name]["queries"], large[name]["queries"]],
            "time_ratio": ratio(large[name]["seconds"], small[name]["seconds"]),
            "met": large[name]["queries"] <= small[name]["queries"]
            and large[name]["status"] == 200
            and (ratio(large[name]["seconds"], small[name]["seconds"]) or 99) <= 2,
        }
    return {
        "sizes": [small, large],
        "pages": pages,
        "goal": "query count flat; page time at the large size <= 2x the time at the small",
        "met": all(page["met"] for page in pages.values()),
    }


# --- B6: verifying the trail ------------------------------------------------------------------


def _verify_command(checkpoint_file=None, *, since=False) -> tuple[float, str]:
    from django.core.management import call_command

    output = io.StringIO()
    arguments = ["verify_audit"]
    if checkpoint_file:
        arguments += ["--since-checkpoint" if since else "--checkpoint", str(checkpoint_file)]
    started = time.perf_counter()
    call_command(*arguments, stdout=output)
    return time.perf_counter() - started, output.getvalue()


def _offline(directory, checkpoint_file=None) -> tuple[float, float | None, str]:
    public = f"{_signing_key()}.pub"
    command = [sys.executable, "-m", "registry.audit.verify_export", str(directory)]
    command += ["--public-key", public]
    if checkpoint_file:
        command += ["--checkpoint", str(checkpoint_file)]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if result.returncode:
        raise RuntimeError(f"offline verifier failed: {result.stdout}{result.stderr}")
    found = re.search(r"([\d,]+) records/s", result.stdout)
    rate = float(found.group(1).replace(",", "")) if found else None
    return seconds, rate, result.stdout.strip().splitlines()[-1]


def _export(folder) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("export_audit", str(folder), stdout=io.StringIO())
    return time.perf_counter() - started


def b6(sizes):
    from registry.audit import chain, checkpoints, verification

    work = Path(tempfile.mkdtemp(prefix="bench-audit-export-"))
    try:
        records = trail_size()
        checkpoint, _ = checkpoints.sign(force=True)
        kept = checkpoints.write_out(checkpoint, work / "kept")
        seconds, output = _verify_command()
        chain_seconds, _, report = counted(chain.verify_chain)
        export_seconds = _export(work / "export-0")
        offline_seconds, offline_rate, offline_line = _offline(work / "export-0")
        full = {
            "records": records,
            "verify_audit_seconds": round(seconds, 2),
            "verify_audit_records_per_second": round(records / seconds),
            "chain_walk_seconds": round(chain_seconds, 2),
            "chain_walk_records_per_second": round(records / chain_seconds),
            "chain_ok": report.ok,
            "export_audit_seconds": round(export_seconds, 2),
            "offline_seconds_with_startup": round(offline_seconds, 2),
            "offline_records_per_second": offline_rate,
            "offline": offline_line,
        }
        shutil.rmtree(work / "export-0", ignore_errors=True)
        incremental = []
        # The incremental mode: ``verify_audit --since-checkpoint`` rehashes only the records
        # written after the kept checkpoint.
        incremental_api = hasattr(verification, "run_since")
        for step, added in enumerate(sizes.verify_added, start=1):
            grow_trail(trail_size() + added)
            seconds, _ = _verify_command(kept, since=incremental_api)
            export_seconds = _export(work / f"export-{step}")
            offline_seconds, offline_rate, _ = _offline(work / f"export-{step}", kept)
            shutil.rmtree(work / f"export-{step}", ignore_errors=True)
            incremental.append(
                {
                    "records_added_since_checkpoint": trail_size() - records,
                    "verify_audit_with_checkpoint_seconds": round(seconds, 2),
                    "cost_vs_full": ratio(seconds, full["verify_audit_seconds"]),
                    "added_vs_checkpoint": ratio(trail_size() - records, records),
                    "offline_with_checkpoint_seconds": round(offline_seconds, 2),
                    "offline_records_per_second": offline_rate,
                }
            )
        proportional = incremental_api and all(
            (row["cost_vs_full"] or 99) <= max(0.2, 2 * row["added_vs_checkpoint"])
            for row in incremental
        )
        fast = (
            full["verify_audit_records_per_second"] >= 100_000
            and (full["offline_records_per_second"] or 0) >= 100_000
        )
        return {
            "full": full,
            "incremental": incremental,
            "incremental_mode": incremental_api,
            "goal": ">= 100,000 records/s (verify_audit and the offline verifier); from a "
            "checkpoint, a cost in proportion to the records added since",
            "met": fast and proportional and report.ok,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- B7: the CSV export of the timeline -------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _peak_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def b7_point(database_url):
    """One export through a fresh one-worker gunicorn: time to the first byte, the whole
    download, and the worker's peak memory (``VmHWM``) before and after."""
    from django.conf import settings
    from django.test import Client

    from registry import roles
    from tests.support.servers import Gunicorn

    auditor = user_in(roles.AUDITORS, "bench-auditor")
    client = Client()
    client.force_login(auditor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    # A sync worker is killed when one request outlasts GUNICORN_TIMEOUT, and a whole export of
    # a million rows takes minutes: the timeout an operator sets for exports (docs/operations.md).
    env = dict(os.environ, **server_environment(database_url), GUNICORN_TIMEOUT="1800")
    with Gunicorn(env=env, workers=1) as server:
        [worker] = _children(server.process.pid) or [server.process.pid]
        target = urllib.parse.urlsplit(server.url)
        # Warm: the worker imports and renders once, as it would have before a real export.
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
        connection.request("GET", "/audit/", headers={"Cookie": f"sessionid={cookie}"})
        connection.getresponse().read()
        before = _peak_kib(worker)
        started = time.perf_counter()
        connection.request("GET", "/audit/?format=csv", headers={"Cookie": f"sessionid={cookie}"})
        response = connection.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter() - started
        size, lines = len(first), first.count(b"\n")
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
        total = time.perf_counter() - started
        connection.close()
        after = _peak_kib(worker)
    return {
        "history_records": trail_size(),
        "status": response.status,
        "rows": lines - 1,
        "bytes": size,
        "first_byte_seconds": round(first_byte, 3),
        "seconds": round(total, 2),
        "rows_per_second": round((lines - 1) / total) if total else None,
        "worker_peak_kib_before": before,
        "worker_peak_kib": after,
    }


def b7_result(small, large):
    growth = ratio(large["worker_peak_kib"], small["worker_peak_kib"])
    return {
        "sizes": [small, large],
        "peak_memory_growth": growth,
        "goal": "first byte < 1 s at both sizes; worker's peak memory at the large size "
        "<= 1.5x the small",
        "met": small["status"] == large["status"] == 200
        and max(small["first_byte_seconds"], large["first_byte_seconds"]) < 1
        and (growth or 99) <= 1.5,
    }


# --- B8: party screening ----------------------------------------------------------------------

# The screening app's matcher, when it is in the tree: ``screening.matching.ListIndex`` built once
# from a list's entries, ``match(name, country, threshold=)`` per party.
MATCHER_MODULE = "screening.matching"


def screening_list(count: int) -> list[tuple[str, str]]:
    """``count`` entity names and countries, made up, of the shapes a restricted-party list
    holds."""
    import random

    generator = random.Random(20)
    first = ["Global", "United", "Advanced", "Eastern", "Northern", "Pacific", "Delta", "Omega"]
    middle = ["Systems", "Technologies", "Trading", "Logistics", "Industries", "Solutions"]
    last = ["Ltd", "LLC", "GmbH", "SA", "Co", "Group", "Holdings", "FZE"]
    countries = ["IR", "RU", "KP", "SY", "CN", "AE", "TR", "BY"]
    names = {}
    while len(names) < count:
        name = (
            f"{generator.choice(first)} {generator.choice(middle)} "
            f"{generator.randrange(1, 10**6):06d} {generator.choice(last)}"
        )
        names[name] = generator.choice(countries)
    return sorted(names.items())


def screening_applications(entries, count: int) -> list[list[tuple[str, str]]]:
    """``count`` applications of three parties each (end user, consignee, intermediary): one in
    ten names a listed entity, slightly misspelt; the others are clean."""
    applications = []
    for n in range(count):
        listed_name, listed_country = entries[n * 7919 % len(entries)]
        parties = [
            (f"Bench Ministry of Interior {n}", "FR"),
            (f"Bench Freight Forwarders {n} Ltd", "DE"),
            (listed_name.replace("Systems", "Sytems"), listed_country)
            if n % 10 == 0
            else (f"Bench Integrator {n} SA", "BE"),
        ]
        applications.append(parties)
    return applications


def b8(sizes):
    """The naive loop (rapidfuzz's ``token_sort_ratio`` over every entry, per party) is measured
    always; the registry's matcher once the screening app is in the tree."""
    from rapidfuzz import fuzz, utils

    entries = screening_list(sizes.screening_entries)
    applications = screening_applications(entries, sizes.screening_applications)
    sample = [party for parties in applications[:10] for party in parties]

    def naive(name):
        return [
            entry
            for entry, _ in entries
            if fuzz.token_sort_ratio(name, entry, processor=utils.default_process) >= 88
        ]

    naive_seconds, _ = timed(lambda: [naive(name) for name, _ in sample])
    naive_per_party = naive_seconds / len(sample)
    result = {
        "entries": len(entries),
        "applications": len(applications),
        "naive_loop_ms_per_party": round(naive_per_party * 1000, 3),
        "goal": "matching per party >= 20x the naive rapidfuzz loop; p99 per application < 50 ms",
    }
    matching = importlib.import_module(MATCHER_MODULE)
    return {**result, **b8_registry(matching, entries, applications, naive_per_party)}


def b8_registry(matching, entries, applications, naive_per_party) -> dict:
    from django.conf import settings

    threshold = getattr(settings, "WATCHLIST_MATCH_THRESHOLD", 88)
    started = time.perf_counter()
    index = matching.ListIndex(
        matching.ListEntry(
            ref=f"bench:{n}",
            pk=n,
            name=name,
            names=matching.entry_names(name, ()),
            countries=frozenset([country]),
            fingerprint="",
        )
        for n, (name, country) in enumerate(entries)
    )
    build_seconds = time.perf_counter() - started
    per_application, hits = [], 0
    for parties in applications:
        started = time.perf_counter()
        for name, country in parties:
            hits += bool(index.match(name, country, threshold=threshold))
        per_application.append(time.perf_counter() - started)
    per_application.sort()
    parties = sum(len(p) for p in applications)
    per_party = sum(per_application) / parties
    sample = [party for parties_ in applications[:10] for party in parties_]
    scan_seconds, _ = timed(
        lambda: [index.scan(name, country, threshold=threshold) for name, country in sample]
    )
    p99 = per_application[min(len(per_application) - 1, round(0.99 * (len(per_application) - 1)))]
    speedup = ratio(naive_per_party, per_party)
    return {
        "available": True,
        "module": matching.__name__,
        "threshold": threshold,
        "index_build_seconds": round(build_seconds, 3),
        "registry_ms_per_party": round(per_party * 1000, 3),
        "scan_ms_per_party": round(scan_seconds / len(sample) * 1000, 3),
        "p50_ms_per_application": round(statistics.median(per_application) * 1000, 3),
        "p99_ms_per_application": round(p99 * 1000, 3),
        "parties_with_a_hit": hits,
        "speedup_vs_naive": speedup,
        "note": "the screening app's ListIndex.match against the naive loop",
        "met": (speedup or 0) >= 20 and p99 < 0.05,
    }


# --- Stages: the data grows, each stage kept for the next run --------------------------------


def base_build(sizes):
    from django.core.management import call_command

    from bench import data
    from bench.peer import setup as peer_setup
    from countries.models import Country
    from licenses import services
    from registry.audit.history import system_user

    call_command("migrate", verbosity=0)
    call_command("seed", stdout=io.StringIO())
    peer_setup.copy_countries(by=system_user())
    pending_applications(sizes.queue_small)
    # A few licences, so the timeline filtered to licences has a page at the small size too;
    # some suspended and reinstated, as in any registry in use, so its newest records are
    # changes like the large size's (B3's suspensions), not only creations.
    licences = data.active_licences(
        min(100, sizes.queue_small),
        products=data.vendors_with_products(2, by=system_user()),
        destinations=list(Country.objects.filter(code="FR")),
        by=system_user(),
    )
    for licence in licences[:10]:
        services.suspend_licence(licence=licence, by=system_user(), reason="bench: suspended")
    for licence in licences[:5]:
        services.reinstate_licence(licence=licence, by=system_user(), reason="bench: reinstated")
    grow_trail(sizes.history[0])


STAGES = (
    # name, what it adds, what it measures (in order)
    ("base", base_build, ("B4", "B5", "B8", "B1")),
    ("export-small", lambda sizes: grow_trail(sizes.export_rows[0]), ("B7",)),
    (
        "trail-middle",
        lambda sizes: grow_trail(max(sizes.history[1], sizes.export_rows[1])),
        ("B4", "B7", "B6"),
    ),
    ("licences", b3_build, ("B3",)),
    (
        "trail-large",
        lambda sizes: (
            grow_trail(sizes.history[2]),
            pending_applications(sizes.queue_pending_large),
        ),
        ("B4", "B5"),
    ),
)


def generator_version(sizes: Sizes) -> str:
    """A hash of what the kept stages depend on: the generators, this file, the sizes and
    every migration in the tree."""
    digest = hashlib.sha256(sizes.name.encode() + repr(sizes).encode())
    for path in sorted((ROOT / "bench").glob("*.py")) + sorted(ROOT.glob("**/migrations/0*.py")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


class Stages:
    """Runs each stage's generator, or copies the stage kept by an earlier run of the same
    generator version."""

    def __init__(self, url: str, version: str | None):
        self.url = url
        self.version = version
        self.name = urllib.parse.urlsplit(url).path.lstrip("/")
        self.log = []

    def template(self, stage: str) -> str:
        return f"{self.name}__{self.version}__{stage}"

    def reach(self, stage: str, build, sizes) -> None:
        from django.db import connections

        started = time.perf_counter()
        if self.version and database_exists(self.url, self.template(stage)):
            connections.close_all()
            copy_database(self.url, self.template(stage), self.name)
            how = "copied"
        else:
            build(sizes)
            how = "generated"
            if self.version:
                connections.close_all()
                copy_database(self.url, self.name, self.template(stage))
        seconds = round(time.perf_counter() - started, 1)
        self.log.append({"stage": stage, "how": how, "seconds": seconds, "records": trail_size()})
        print(f"  stage {stage}: {how} in {seconds} s", file=sys.stderr, flush=True)


def run_all(args, sizes, selected) -> dict:
    stages = Stages(args.database_url, None if args.no_cache else generator_version(sizes))
    points = {"B4": [], "B5": [], "B7": []}
    benchmarks = {}
    steps = {
        "B1": lambda: benchmarks.update(
            {k: v for k, v in b1_b2(args.database_url, sizes).items() if k in selected}
        ),
        "B3": lambda: benchmarks.update(B3=b3(sizes, args.database_url)),
        "B4": lambda: points["B4"].append(b4_point()),
        "B5": lambda: points["B5"].append(b5_point()),
        "B6": lambda: benchmarks.update(B6=b6(sizes)),
        "B7": lambda: points["B7"].append(b7_point(args.database_url)),
        "B8": lambda: benchmarks.update(B8=b8(sizes)),
    }
    wanted = set(selected) | ({"B1"} if "B2" in selected else set())
    for stage, build, measures in STAGES:
        todo = [name for name in measures if name in wanted]
        if not todo and stage != "base":  # the base stage migrates: always reached
            continue
        stages.reach(stage, build, sizes)
        for name in todo:
            print(f"  running {name} at stage {stage} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            steps[name]()
            stages.log.append(
                {
                    "measure": name,
                    "stage": stage,
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
    if len(points["B4"]) >= 2:
        benchmarks["B4"] = b4_result(points["B4"])
    if len(points["B5"]) == 2:
        benchmarks["B5"] = b5_result(*points["B5"])
    if len(points["B7"]) == 2:
        benchmarks["B7"] = b7_result(*points["B7"])
    return {"benchmarks": benchmarks, "stages": stages.log, "version": stages.version}


# --- The command ------------------------------------------------------------------------------


def summary(name: str, result: dict) -> str:
    if name == "B1":
        r, p, b = result["registry"], result["peer"], result["bare"]
        return (
            f"{result['vs_peer']['value']}x the peer (runs {result['vs_peer']['runs']}), "
            f"{result['vs_bare']['value']} of bare (runs {result['vs_bare']['runs']}); "
            f"{r['throughput']}/{p['throughput']}/"
            f"{b['throughput']} req/s; p50 {r['p50_ms']}/{p['p50_ms']}/{b['p50_ms']} ms; "
            f"p99 {r['p99_ms']}/{p['p99_ms']}/{b['p99_ms']} ms (registry/peer/bare)"
        )
    if name == "B2":
        parts = []
        for c, row in result["by_concurrency"].items():
            waits = row.get("registry_lock_waits") or {}
            parts.append(
                f"{c} clients: {row['vs_peer']['value']}x peer ({row['registry']['throughput']}/"
                f"{row['peer']['throughput']} req/s, runs {row['vs_peer']['runs']}; "
                f"waiting on the chain head {waits.get('registry_auditchainhead')}, "
                f"on the counter {waits.get('registry_referencecounter')})"
            )
        s = result["scaling"]
        return "; ".join(parts) + (
            f"; scaling {s['clients']}: registry {s['registry']}x, peer {s['peer']}x"
        )
    if name == "B3":
        return (
            f"{result['affected']} of {result['licences']} licences in {result['seconds']} s, "
            f"{result['queries']} queries; {result['speedup_vs_naive']}x the naive loop; then "
            f"the worker {result.get('worker_seconds_after_the_commit')} s to sign "
            f"{result.get('refusal_letters_issued_by_the_worker')} refusal letters and fan out "
            "the events"
        )
    if name == "B4":
        return (
            "; ".join(
                f"{p['history_records']}: {p['seconds'] * 1000:.1f} ms" for p in result["sizes"]
            )
            + f"; growth {result['growth_largest_vs_smallest']}"
        )
    if name == "B5":
        return "; ".join(
            f"{page} q {v['queries'][0]}->{v['queries'][1]} time x{v['time_ratio']}"
            for page, v in result["pages"].items()
        )
    if name == "B6":
        full = result["full"]
        text = (
            f"{full['records']} records: verify_audit {full['verify_audit_records_per_second']}/s,"
            f" chain walk {full['chain_walk_records_per_second']}/s, offline "
            f"{full['offline_records_per_second']}/s"
        )
        for row in result["incremental"]:
            text += (
                f"; +{row['records_added_since_checkpoint']}: "
                f"{row['cost_vs_full']} of the full cost"
            )
        return text
    if name == "B7":
        return (
            "; ".join(
                f"{p['rows']} rows: first byte {p['first_byte_seconds']} s, {p['seconds']} s, "
                f"peak {p['worker_peak_kib'] // 1024} MiB"
                for p in result["sizes"]
            )
            + f"; memory growth {result['peak_memory_growth']}"
        )
    if name == "B8":
        if not result.get("available"):
            return f"naive loop {result['naive_loop_ms_per_party']} ms/party; {result['note']}"
        return (
            f"{result['registry_ms_per_party']} ms/party against the naive loop's "
            f"{result['naive_loop_ms_per_party']} ({result['speedup_vs_naive']}x); per "
            f"application p50 {result['p50_ms_per_application']} ms, p99 "
            f"{result['p99_ms_per_application']} ms ({result['entries']} entries)"
        )
    return ""


def table(results) -> str:
    lines = [f"{'benchmark':<10} {'met':<8} figures", "-" * 78]
    for name, result in results["benchmarks"].items():
        met = {True: "yes", False: "NO", None: "n/a"}[result["met"]]
        lines.append(f"{name:<10} {met:<8} {summary(name, result)}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="The registry's benchmarks B1-B8.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI (no goals)")
    parser.add_argument(
        "--sizes", choices=sorted(PRESETS), default="full", help="full, tenth or quick"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry_bench"
        ),
        help="a PostgreSQL database this command may drop and create",
    )
    parser.add_argument("--only", default="B1,B2,B3,B4,B5,B6,B7,B8")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="generate every stage and keep none (the default with --quick)",
    )
    parser.add_argument(
        "--cache", action="store_true", help="keep and reuse the stages even with --quick"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else PRESETS[args.sizes]
    if sizes is QUICK and not args.cache:
        args.no_cache = True
    selected = [name.strip().upper() for name in args.only.split(",")]

    started = time.perf_counter()
    version = None if args.no_cache else generator_version(sizes)
    use_keys(version)
    if version:
        drop_templates(args.database_url, keep_version=version)
    recreate_database(args.database_url)
    os.environ.update(server_environment(args.database_url))
    static_root = tempfile.mkdtemp(prefix="registry-bench-static-")
    os.environ["STATIC_ROOT"] = static_root
    media_root = tempfile.mkdtemp(prefix="registry-bench-media-")
    os.environ["MEDIA_ROOT"] = media_root  # the letters B3's worker signs and stores
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        produced = run_all(args, sizes, selected)
        results = {
            "mode": sizes.name,
            "command": "python -m bench"
            + (" --quick" if sizes is QUICK else f" --sizes {sizes.name}"),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load_average_at_end": os.getloadavg(),
            },
            "seconds": round(time.perf_counter() - started, 1),
            "generator_version": produced["version"],
            "stages": produced["stages"],
            "benchmarks": {n: produced["benchmarks"][n] for n in sorted(produced["benchmarks"])},
        }
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(media_root, ignore_errors=True)
        if not args.keep_database:
            drop_database(args.database_url)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    if sizes is not QUICK and Path(args.output).resolve() == RESULTS:
        from bench import report

        report.update_doc(results)
    print(table(results))
    print(f"\nwritten to {args.output} in {results['seconds']} s")
    return 0
