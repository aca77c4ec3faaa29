"""The current migrations run while the previous release keeps answering: 0 5xx.

"The previous release" is the code as it stood just before the newest migrations arrived: the
parent of the latest commit on the main line that added a migration file (or the commit named by
``PREVIOUS_RELEASE``), exported with ``git archive`` into a temporary folder. That is what a
rolling deployment meets: the old code serving while ``migrate`` of the new one runs.

1. A fresh database is migrated and seeded by the previous release's own ``manage.py``, and one
   gunicorn of the previous release serves it.
2. Vendor clients call it without pause: eligibility checks, submissions (each with its own
   ``Idempotency-Key``), and reads of their applications.
3. Meanwhile this checkout's ``migrate`` runs against the same database; then a gunicorn of the
   current code starts beside the old one, and the clients call both for a few seconds more.

Every answer of either instance, before, during and after the migration, must be below 500, the
migrations must actually have had work to do, and the audit trail, written by both releases, must
verify afterwards. The test needs the git history (a clone, not an
export); it fails and says so when there is none.
"""

import http.client
import itertools
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
from collections import Counter

import psycopg2
import pytest
from django.db import connection

from tests.support.servers import ROOT, Gunicorn, database_url, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/5"
CLIENTS = 4


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def previous_release() -> str:
    if os.environ.get("PREVIOUS_RELEASE"):
        return _git("rev-parse", os.environ["PREVIOUS_RELEASE"])
    try:
        newest = _git(
            "log",
            "--first-parent",
            "-1",
            "--format=%H",
            "--diff-filter=A",
            "--",
            "*/migrations/0*.py",
            ":(exclude)bench/*",  # the benchmarks' peer is no part of a release
        )
        return _git("rev-parse", f"{newest}^1")
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(
            "the migration test needs the git history to find the previous release (a full "
            f"clone, or PREVIOUS_RELEASE set): {error}"
        )


def export(revision: str, folder) -> None:
    archive = folder.parent / "previous.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "archive", "--format=tar", revision], cwd=ROOT, stdout=out, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")


def _admin():
    settings = connection.settings_dict
    conn = psycopg2.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=settings.get("PORT") or 5432,
        user=settings.get("USER") or "postgres",
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def manage(cwd, env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


class Clients:
    """Vendor clients calling every server in turn until stopped; counts statuses per phase."""

    def __init__(self, token: str, product: str):
        self.token, self.product = token, product
        self.servers: list[str] = []
        self.phase = "before"
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.keys = itertools.count()

    def call(self, server: str, method: str, path: str, body=None, key=None) -> None:
        parts = urllib.parse.urlsplit(server)
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        phase = self.phase
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            response = conn.getresponse()
            text = response.read()[:300]
            status = response.status
            conn.close()
        except OSError as error:
            status, text = "error", str(error).encode()
        with self.lock:
            self.statuses[(phase, str(status))] += 1
            if status == "error" or int(status) >= 500:
                self.failures.append(f"{phase} {method} {path} -> {status}: {text!r}")

    def run(self, offset: int) -> None:
        for turn in itertools.count(offset):
            if self.stop.is_set():
                return
            servers = list(self.servers)
            server = servers[turn % len(servers)]
            self.call(server, "GET", "/api/v1/countries/FR/")
            body = {
                "licence_type": "marketing",
                "product": self.product,
                "destination": "FR",
                "end_user": {"name": "Police nationale", "kind": "law_enforcement"},
                "end_use": "Lawful interception in serious-crime investigations.",
                "value": "1000.00",
                "currency": "EUR",
            }
            self.call(server, "POST", "/api/v1/applications/", body, key=f"k-{next(self.keys)}")
            self.call(server, "GET", "/api/v1/applications/?status=submitted")


def test_the_current_migrations_run_while_the_previous_release_answers_without_a_5xx(tmp_path):
    revision = previous_release()
    old_code = tmp_path / "previous"
    old_code.mkdir()
    export(revision, old_code)

    name = f"{connection.settings_dict['NAME']}_previous"
    admin = _admin()
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    env = production_env(
        DATABASE_URL=database_url({**connection.settings_dict, "NAME": name}),
        CACHE_URL=REDIS_URL,
        OTP_REQUIRED="false",
        API_THROTTLE_RATE="1000000/minute",  # the clients measure the migration, not the throttle
    )
    old, new = None, None
    try:
        manage(old_code, env, "migrate", "--noinput")
        manage(old_code, env, "seed", "--demo", "--force")
        token = manage(old_code, env, "issue_token", "vendor-acme").strip().splitlines()[-1]

        old = Gunicorn(env=env, workers=2, cwd=old_code).wait_ready(60)
        conn = http.client.HTTPConnection("127.0.0.1", old.port, timeout=30)
        conn.request("GET", "/api/v1/products/", headers={"Authorization": f"Token {token}"})
        products = json.loads(conn.getresponse().read())["results"]
        conn.close()

        clients = Clients(token, products[0]["reference"])
        clients.servers = [old.url]
        threads = [threading.Thread(target=clients.run, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(3)

        clients.phase = "during"
        migrated = manage(ROOT, env, "migrate", "--noinput")
        clients.phase = "after"
        new = Gunicorn(env=env, workers=2).wait_ready(60)
        clients.servers = [old.url, new.url]
        time.sleep(5)
        clients.stop.set()
        for thread in threads:
            thread.join(120)
        # What the previous release wrote, before and after the migration, verifies.
        verified = manage(ROOT, env, "verify_audit")
    finally:
        logs = (old.output() if old else "") + (new.output() if new else "")
        for server in (old, new):
            if server is not None:
                server.stop()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    applied = [line for line in migrated.splitlines() if "Applying" in line]
    print(f"previous release {revision[:10]}; {len(applied)} migrations; {dict(clients.statuses)}")
    assert applied, "the previous release had every migration: nothing was tested"
    assert not clients.failures, "\n".join(clients.failures[:20]) + "\n" + logs[-3000:]
    for phase in ("before", "during", "after"):
        answered = sum(n for (p, s), n in clients.statuses.items() if p == phase)
        assert answered > 0, f"no request answered {phase} the migration"
    assert clients.statuses[("during", "201")] > 0  # submissions went on while it migrated
    assert "Audit trail verified." in verified
