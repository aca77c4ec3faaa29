"""The registry's benchmarks, B1 to B5, on PostgreSQL: ``python -m bench`` (``--quick`` for CI).

Every figure is a ratio against a baseline measured in the same run, on the same machine, because
absolute times on shared machines drift. The command creates a fresh database (``registry_bench``
unless ``--database-url`` names another), migrates and seeds it, runs the benchmarks, writes
``bench/results.json``, prints a table and drops the database.

HTTP benchmarks (B1, B2) run the app under gunicorn with DEBUG off, as production does, and load it
from a separate process (``bench.loadgen``). The bare baseline views exist only because this command
starts that server with ``DJANGO_SETTINGS_MODULE=bench.settings``. B3-B5 run in this process, on
the same database, timing the selectors and services directly.
"""

import argparse
import functools
import io
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"


@dataclass(frozen=True)
class Sizes:
    http_seconds: float
    http_rounds: int
    licences: int  # B3
    naive_sample: int  # B3: licences saved one by one, extrapolated to all
    history: tuple[int, ...]  # B4
    pages: tuple[int, int]  # B5


FULL = Sizes(
    http_seconds=8,
    http_rounds=3,
    licences=100_000,
    naive_sample=2_000,
    history=(10_000, 100_000, 1_000_000),
    pages=(100, 100_000),
)
QUICK = Sizes(
    http_seconds=1.5,
    http_rounds=1,
    licences=1_000,
    naive_sample=200,
    history=(1_000, 3_000, 10_000),
    pages=(20, 500),
)


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


def drop_database(url: str) -> None:
    connection, name = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


@functools.cache
def _signing_key() -> str:
    """A checkpoint signing key for this run only, as production requires one."""
    from registry.audit import signing

    folder = tempfile.mkdtemp(prefix="bench-audit-key-")
    path = os.path.join(folder, "audit-signing.key")
    with open(path, "w") as handle:
        handle.write(f"{signing.Signer.generate('bench/audit')}\n")
    return path


def server_environment(database_url: str) -> dict:
    """Production settings for the benchmark's own processes, on plain HTTP on the loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY": secrets.token_urlsafe(32),
        "AUDIT_SIGNING_KEY_FILE": _signing_key(),
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


# --- B1 and B2: HTTP throughput against bare views ------------------------------------------


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


def compare(server, sizes, *, real, bare, goal):
    """Alternates the real request and its baseline, ``http_rounds`` times each; keeps the
    median round of each, so drift on a shared machine hits both alike."""
    rounds = {"real": [], "bare": []}
    for _ in range(sizes.http_rounds):
        for name, spec in (("bare", bare), ("real", real)):
            spec = dict(spec)
            path = spec.pop("path")
            rounds[name].append(load(server.url + path, seconds=sizes.http_seconds, **spec))

    def median_round(runs):
        return sorted(runs, key=lambda r: r["throughput"])[len(runs) // 2]

    real_run, bare_run = median_round(rounds["real"]), median_round(rounds["bare"])
    value = ratio(real_run["throughput"], bare_run["throughput"])
    server_errors = sum(
        n
        for run in rounds["real"] + rounds["bare"]
        for s, n in run["statuses"].items()
        if s == "error" or s.startswith("5")
    )
    return {
        "throughput_ratio": value,
        "goal": f"throughput ratio >= {goal}",
        "met": value is not None and value >= goal and server_errors == 0,
        "real": real_run,
        "bare": bare_run,
        "server_errors": server_errors,
    }


def vendor_token(product_owner) -> str:
    from django.core.management import call_command

    from registry import roles

    user = user_in(roles.VENDORS, "bench-vendor", vendor=product_owner)
    output = io.StringIO()
    call_command("issue_token", user.get_username(), stdout=output)
    return output.getvalue().strip().splitlines()[-1].strip()


def b1_b2(database_url, sizes):
    from countries.models import Country
    from registry.api import API_V1_PREFIX
    from registry.audit.history import system_user
    from tests.support.servers import Gunicorn

    system = system_user()
    from bench import data

    [product] = data.vendors_with_products(1, by=system)
    token = vendor_token(product.vendor)
    auth = f"Authorization: Token {token}"
    france = Country.objects.get(code="FR")
    submission = json.dumps(
        {
            "licence_type": "marketing",
            "product": product.reference,
            "destination": france.code,
            "end_user": {"name": "Police nationale", "kind": "law_enforcement"},
            "end_use": "Lawful interception in serious-crime investigations.",
            "value": "250000.00",
            "currency": "EUR",
        }
    )
    env = dict(os.environ, **server_environment(database_url))
    results = {}
    with Gunicorn(env=env, workers=int(os.environ.get("BENCH_WORKERS", "3"))) as server:
        results["B1"] = compare(
            server,
            sizes,
            real={"path": f"{API_V1_PREFIX}countries/FR/", "headers": [auth]},
            bare={"path": "/bench/constant/"},
            goal=0.7,
        )
        results["B2"] = compare(
            server,
            sizes,
            real={
                "path": f"{API_V1_PREFIX}applications/",
                "method": "POST",
                "headers": [auth, "Idempotency-Key: bench-{n}"],
                "body": submission,
            },
            bare={"path": "/bench/insert/", "method": "POST", "body": submission},
            goal=0.5,
        )
    return results


# --- B3: applying the cut ----------------------------------------------------------------------


def b3(sizes):
    from django.db import transaction

    from bench import data
    from countries.models import Country
    from countries.services import approve_revision, propose_revision
    from licenses.models import Licence, LicenceStatus
    from registry import roles
    from registry.audit import history
    from registry.audit.history import system_user

    system = system_user()
    proposer = user_in(roles.OFFICIALS, "bench-official")
    approver = user_in(roles.SENIOR_OFFICIALS, "bench-senior")
    thirty_seven = set(Country.objects.filter(eligible=True).values_list("code", flat=True))
    removed = set(data_2018_members()) - thirty_seven

    # Back to the 102 through the real service, so the cut below is the real 102 -> 37.
    restore = propose_revision(
        by=proposer,
        title="bench: restore the 102",
        reason="Benchmark setup",
        add=sorted(removed),
        remove=[],
        licence_treatment="suspend",
    )
    approve_revision(revision=restore, by=approver, note="bench setup")
    assert Country.objects.filter(eligible=True).count() == len(thirty_seven | removed)

    products = data.vendors_with_products(50, by=system)
    to_removed = list(Country.objects.filter(code__in=removed))
    to_kept = list(Country.objects.filter(code__in=thirty_seven))
    half = sizes.licences // 2
    data.active_licences(half, products=products, destinations=to_removed, by=system)
    data.active_licences(sizes.licences - half, products=products, destinations=to_kept, by=system)

    affected = Licence.objects.filter(
        status=LicenceStatus.ACTIVE, application__destination__code__in=removed
    )
    affected_count = affected.count()

    # The naive way: each licence loaded and saved on its own, on a sample, then rolled back.
    sample_pks = list(affected.order_by("pk").values_list("pk", flat=True)[: sizes.naive_sample])

    def naive():
        with transaction.atomic():
            for pk in sample_pks:
                licence = Licence.objects.select_for_update().get(pk=pk)
                licence.status = LicenceStatus.SUSPENDED
                history.save(licence, by=approver, reason="naive: suspended one by one")
            transaction.set_rollback(True)

    naive_seconds, naive_queries, _ = counted(naive)
    naive_extrapolated = naive_seconds * affected_count / len(sample_pks)

    cut = propose_revision(
        by=proposer,
        title="bench: the cut from 102 to 37",
        reason="Benchmark",
        add=[],
        remove=sorted(removed),
        licence_treatment="suspend",
    )
    seconds, queries, _ = counted(lambda: approve_revision(revision=cut, by=approver, note="b"))

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
    untouched = Licence.objects.filter(
        status=LicenceStatus.ACTIVE, application__destination__code__in=thirty_seven
    ).count()
    factor = ratio(naive_extrapolated, seconds)
    every_recorded = len(suspended_ids) == affected_count and recorded == suspended_ids
    return {
        "licences": sizes.licences,
        "affected": affected_count,
        "seconds": round(seconds, 3),
        "queries": queries,
        "naive_sample": len(sample_pks),
        "naive_sample_seconds": round(naive_seconds, 3),
        "naive_sample_queries": naive_queries,
        "naive_extrapolated_seconds": round(naive_extrapolated, 3),
        "speedup_vs_naive": factor,
        "suspended": len(suspended_ids),
        "suspended_with_history_record": len(recorded),
        "licences_to_kept_countries_still_active": untouched,
        "goal": "< 10 s and >= 10x faster than the naive loop; every suspension recorded",
        "met": seconds < 10 and (factor or 0) >= 10 and every_recorded,
    }


def data_2018_members():
    from countries.seeding import load_fixture

    return [member["code"] for member in load_fixture("whitelist-2018.json")["members"]]


# --- B4: the whitelist in the past --------------------------------------------------------------


def b4(sizes):
    import datetime

    from bench import data
    from countries.models import Country
    from countries.selectors import whitelist_as_of
    from registry.audit.history import system_user

    system = system_user()
    cut_day = datetime.datetime(2021, 11, 25, tzinfo=datetime.UTC)
    at = datetime.datetime(2021, 11, 1, tzinfo=datetime.UTC)
    members_2018 = set(data_2018_members())
    expected = set(members_2018)

    def ours():
        return {c.code for c in whitelist_as_of(at)}

    def simple_history():
        return {c.code for c in Country.history.as_of(at) if c.eligible}

    rows = []
    for size in sizes.history:
        have = Country.history.count()
        data.country_history_fillers(
            size - have, members_then=members_2018, by=system, before=cut_day
        )
        ours_seconds, ours_result = timed(ours, repeat=5)
        theirs_seconds, theirs_result = timed(simple_history, repeat=3)
        rows.append(
            {
                "history_records": Country.history.count(),
                "seconds": round(ours_seconds, 4),
                "simple_history_as_of_seconds": round(theirs_seconds, 4),
                "speedup_vs_simple_history": ratio(theirs_seconds, ours_seconds),
                "correct": ours_result == expected and theirs_result == expected,
            }
        )
    growth = ratio(rows[-1]["seconds"], rows[0]["seconds"])
    return {
        "function": f"{whitelist_as_of.__module__}.{whitelist_as_of.__name__}",
        "as_of": at.date().isoformat(),
        "sizes": rows,
        "growth_largest_vs_smallest": growth,
        "goal": "largest size no more than 2x the smallest; answer correct at every size",
        "met": growth is not None and growth <= 2 and all(r["correct"] for r in rows),
    }


# --- B5: pages at 100 and 100,000 rows ---------------------------------------------------------


def b5(sizes):
    from django.test import Client

    from bench import data
    from countries.models import Country
    from registry import roles
    from registry.audit.history import system_user

    pages = {
        "review_queue": "/applications/",
        "queue_search_sorted": "/applications/?q=Bench+product+1&sort=-vendor&per_page=100",
        "audit_timeline": "/audit/",
    }
    system = system_user()
    official = user_in(roles.OFFICIALS, "bench-queue-official")
    auditor = user_in(roles.AUDITORS, "bench-auditor")
    clients = {
        "review_queue": Client(),
        "queue_search_sorted": Client(),
        "audit_timeline": Client(),
    }
    clients["review_queue"].force_login(official)
    clients["queue_search_sorted"].force_login(official)
    clients["audit_timeline"].force_login(auditor)
    products = data.vendors_with_products(20, by=system)
    france = [Country.objects.get(code="FR")]

    made = 0
    measured = []
    for rows in sizes.pages:
        data.applications(rows - made, products=products, destinations=france, by=system)
        made = rows
        row = {"pending_applications": rows}
        for name, path in pages.items():
            client = clients[name]
            client.get(path)  # warm: templates compiled, connection open
            # The median of three loads: one page load is short enough for a passing hiccup
            # of a shared machine (an autovacuum, another process) to be most of it.
            runs = [counted(lambda c=client, p=path: c.get(p)) for _ in range(3)]
            seconds = statistics.median(run[0] for run in runs)
            _, queries, response = runs[-1]
            row[name] = {
                "status": response.status_code,
                "seconds": round(seconds, 4),
                "queries": queries,
            }
        measured.append(row)
    flat = all(
        measured[-1][name]["queries"] <= measured[0][name]["queries"]
        and measured[-1][name]["status"] == 200
        for name in pages
    )
    return {
        "sizes": measured,
        "goal": "query count does not grow from the small size to the large, on both pages",
        "met": flat,
    }


# --- The command -------------------------------------------------------------------------------


def table(results) -> str:
    lines = [f"{'benchmark':<10} {'met':<8} figures", "-" * 78]
    for name, result in results["benchmarks"].items():
        if name in ("B1", "B2"):
            real, bare = result["real"], result["bare"]
            figures = (
                f"ratio {result['throughput_ratio']} ({real['throughput']}/{bare['throughput']}"
                f" req/s); p50 {real['p50_ms']}/{bare['p50_ms']} ms;"
                f" p99 {real['p99_ms']}/{bare['p99_ms']} ms"
            )
        elif name == "B3":
            figures = (
                f"{result['affected']} of {result['licences']} licences in {result['seconds']} s,"
                f" {result['queries']} queries; {result['speedup_vs_naive']}x the naive loop"
            )
        elif name == "B4":
            figures = (
                "; ".join(
                    f"{r['history_records']}: {r['seconds']} s"
                    f" ({r['speedup_vs_simple_history']}x simple-history)"
                    for r in result["sizes"]
                )
                + f"; growth {result['growth_largest_vs_smallest']}"
            )
        else:
            figures = "; ".join(
                f"{r['pending_applications']} rows: "
                + ", ".join(
                    f"{page} {r[page]['queries']} q {r[page]['seconds']} s"
                    for page in ("review_queue", "queue_search_sorted", "audit_timeline")
                )
                for r in result["sizes"]
            )
        lines.append(f"{name:<10} {'yes' if result['met'] else 'NO':<8} {figures}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="The registry's benchmarks B1-B5.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI (no goals)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/registry_bench"
        ),
        help="a PostgreSQL database this command may drop and create",
    )
    parser.add_argument("--only", default="B1,B2,B3,B4,B5")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    selected = [name.strip().upper() for name in args.only.split(",")]

    started = time.perf_counter()
    recreate_database(args.database_url)
    os.environ.update(server_environment(args.database_url))
    static_root = tempfile.mkdtemp(prefix="registry-bench-static-")
    os.environ["STATIC_ROOT"] = static_root
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("seed", stdout=io.StringIO())

        benchmarks = {}
        steps = [
            ("B1", lambda: b1_b2(args.database_url, sizes)),
            ("B5", lambda: {"B5": b5(sizes)}),
            ("B4", lambda: {"B4": b4(sizes)}),
            ("B3", lambda: {"B3": b3(sizes)}),
        ]
        for first, step in steps:
            names = ["B1", "B2"] if first == "B1" else [first]
            if not set(names) & set(selected):
                continue
            print(f"running {', '.join(names)} ...", file=sys.stderr, flush=True)
            produced = step()
            benchmarks.update({n: produced[n] for n in names if n in selected})
        results = {
            "mode": "quick" if args.quick else "full",
            "command": "python -m bench" + (" --quick" if args.quick else ""),
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
            },
            "seconds": round(time.perf_counter() - started, 1),
            "benchmarks": {n: benchmarks[n] for n in sorted(benchmarks)},
        }
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep_database:
            drop_database(args.database_url)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {args.output} in {results['seconds']} s")
    return 0
