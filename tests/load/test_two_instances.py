"""Two app servers, one PostgreSQL, one Redis, many vendors at once, officials deciding meanwhile.

The proof that the app servers keep no state of their own: requests alternate between two gunicorn
instances, and every answer must be right whichever instance gave it. No request may get a 5xx,
and every application the API acknowledged must be in the database exactly once.
"""

import io
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection

from licenses.models import ApplicationStatus, LicenceApplication
from registry import roles
from registry.audit import history
from registry.audit.history import system_user
from registry.errors import DomainError
from tests.factories import ProductFactory, VendorFactory, user_with_role
from tests.support.servers import ROOT, Gunicorn, database_url, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


VENDORS = 8
SECONDS = 20
REDIS_URL = "redis://127.0.0.1:6379/5"


def vendor_with_token(index: int) -> dict:
    vendor = VendorFactory()
    product = ProductFactory(vendor=vendor)
    user = user_with_role(role=roles.VENDORS, username=f"load-vendor-{index}", vendor=vendor)
    output = io.StringIO()
    call_command("issue_token", user.username, stdout=output)
    return {"token": output.getvalue().strip().splitlines()[-1], "product": product.reference}


def officials_decide(by, stop: threading.Event, decided: Counter) -> None:
    """An official works through the queue while vendors submit and withdraw."""
    from licenses import services as licence_services

    try:
        while not stop.is_set():
            pending = list(
                LicenceApplication.objects.filter(status=ApplicationStatus.SUBMITTED).order_by("?")[
                    :5
                ]
            )
            if not pending:
                time.sleep(0.1)
                continue
            for application in pending:
                try:
                    application = licence_services.start_review(application=application, by=by)
                    if decided["approved"] <= decided["refused"]:
                        licence_services.approve_application(
                            application=application, by=by, reason="Load test: approved"
                        )
                        decided["approved"] += 1
                    else:
                        licence_services.refuse_application(
                            application=application,
                            by=by,
                            criteria=["other"],
                            reason="Load test: refused",
                        )
                        decided["refused"] += 1
                except DomainError:
                    decided["conflicts"] += 1  # withdrawn by the vendor first: the rules said no
    finally:
        connection.close()


def test_two_app_servers_under_load_answer_no_5xx_and_lose_no_application(official, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    vendors = [vendor_with_token(i) for i in range(VENDORS)]
    env = production_env(DATABASE_URL=database_url(connection.settings_dict), CACHE_URL=REDIS_URL)
    config = tmp_path / "load.json"

    with Gunicorn(env=env, workers=2) as first, Gunicorn(env=env, workers=2) as second:
        config.write_text(
            json.dumps(
                {
                    "servers": [first.url, second.url],
                    "vendors": vendors,
                    "clients": VENDORS,
                    "destination": "FR",
                    "seconds": SECONDS,
                    "max_requests": 20_000,
                }
            )
        )
        stop, decided = threading.Event(), Counter()
        official_thread = threading.Thread(target=officials_decide, args=(official, stop, decided))
        official_thread.start()
        try:
            clients = subprocess.run(
                [sys.executable, "-m", "tests.load.vendor_clients", str(config)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=SECONDS + 180,
            )
        finally:
            stop.set()
            official_thread.join(60)
        logs = first.output() + second.output()

    assert clients.returncode == 0, clients.stderr
    report = json.loads(clients.stdout)
    statuses = Counter(report["statuses"])
    assert not [s for s in statuses if s.startswith("5") or s == "error"], (statuses, logs[-3000:])
    assert "Traceback" not in logs

    acknowledged = report["acknowledged"]
    print(  # the figures of the run, shown with pytest -s
        f"statuses {dict(statuses)}; acknowledged {len(acknowledged)}; "
        f"retries replayed {report['replays']}; withdrawn {len(report['withdrawn'])}; "
        f"decisions {dict(decided)}"
    )
    assert len(acknowledged) >= VENDORS  # the test did real work
    assert report["replays"] > 0 and sum(decided.values()) > 0
    stored = Counter(
        LicenceApplication.objects.filter(
            submitted_by__username__startswith="load-vendor-"
        ).values_list("reference", flat=True)
    )
    assert len(acknowledged) == len(set(acknowledged))  # a retry never made a second one
    assert set(stored) == set(acknowledged)  # every acknowledged one, and nothing else
    assert set(stored.values()) == {1}
    withdrawn = set(
        LicenceApplication.objects.filter(
            reference__in=report["withdrawn"], status=ApplicationStatus.WITHDRAWN
        ).values_list("reference", flat=True)
    )
    assert withdrawn == set(report["withdrawn"])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(url, *, data=None, cookies=None):
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=data)
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        response = opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    cookies = dict(cookies or {})
    for header in response.headers.get_all("Set-Cookie") or []:
        name, value = header.split(";", 1)[0].split("=", 1)
        cookies[name] = value
    return response.status, response.read().decode(), cookies


def test_a_sign_in_on_one_server_is_valid_on_the_other(django_user_model):
    # The servers run the production hashers, not the tests' fast one.
    hashed = PBKDF2PasswordHasher().encode("a-long-password-1", PBKDF2PasswordHasher().salt())
    history.save(
        django_user_model(username="dana", password=hashed), by=system_user(), reason="test data"
    )
    env = production_env(DATABASE_URL=database_url(connection.settings_dict), CACHE_URL=REDIS_URL)
    with Gunicorn(env=env, workers=1) as first, Gunicorn(env=env, workers=1) as second:
        status, page, cookies = _open(f"{first.url}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"username": "dana", "password": "a-long-password-1", "csrfmiddlewaretoken": token}
        status, _, cookies = _open(
            f"{first.url}/accounts/login/",
            data=urllib.parse.urlencode(form).encode(),
            cookies=cookies,
        )
        assert status == 302 and "sessionid" in cookies
        assert _open(f"{second.url}/", cookies=cookies)[0] == 200
        assert _open(f"{second.url}/", cookies={})[0] == 302  # and without it, sign in first
