"""The Prometheus endpoint: behind a bearer token, requests counted by view name (never by raw
path), SQL and cache timings, and the registry's gauges read at each scrape."""

import datetime
import json
import re
import urllib.request

import pytest
import redis
from django.db import connection
from django.utils import timezone

from registry import metrics
from registry.audit import checkpoints, history
from screening import samples
from screening import services as screening_services
from tests.factories import submit_application
from tests.support.servers import Gunicorn, database_url, production_env

TOKEN = "metrics-token-for-the-tests-0123456789"
BROKER = "redis://127.0.0.1:6379/11"


def sample(text: str, name: str, **labels) -> float | None:
    """The value of one sample in the exposition text, or None."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', line.split(" ")[0]))
        if line.split(" ")[0].split("{")[0] == name and all(
            found.get(k) == v for k, v in labels.items()
        ):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def get() -> str:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        return response.content.decode()

    return get


@pytest.mark.django_db
def test_metrics_do_not_exist_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


@pytest.mark.django_db
def test_metrics_need_the_right_bearer_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-for-the-tests-x")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {TOKEN}").status_code == 401


@pytest.mark.django_db
def test_requests_are_counted_by_view_name_and_a_hostile_path_adds_no_series(client, scrape):
    before = scrape()
    healthz = sample(before, "registry_http_requests_total", view="healthz", status="200") or 0
    unmatched = (
        sample(before, "registry_http_requests_total", view="<unmatched>", status="404") or 0
    )
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    for n in range(5):
        client.get(f"/no/such/page-{n}-%27%22%3Cscript%3E")

    after = scrape()
    assert sample(after, "registry_http_requests_total", view="healthz", status="200") == (
        healthz + 3
    )
    assert (
        sample(after, "registry_http_requests_total", view="<unmatched>", status="404")
        == unmatched + 5
    )
    assert "no/such" not in after and "page-0" not in after
    assert sample(after, "registry_http_request_duration_seconds_count", view="healthz") >= 3
    # /healthz runs one SQL statement and reads the cache: both are timed.
    assert sample(after, "registry_db_query_duration_seconds_count", database="default") >= 3
    assert sample(after, "registry_cache_operation_duration_seconds_count", operation="get") >= 3


@pytest.mark.django_db
def test_the_registrys_gauges_are_read_at_each_scrape(
    scrape, vendor, vendor_user, product, settings
):
    settings.CELERY_BROKER_URL = ""
    assert sample(scrape(), "registry_audit_checkpoint_age_seconds") is None  # none signed yet
    checkpoints.sign()
    submit_application(vendor=vendor, product=product, by=vendor_user)

    text = scrape()
    assert 0 <= sample(text, "registry_audit_checkpoint_age_seconds") < 60
    assert sample(text, "registry_audit_unsigned_records") > 0
    assert sample(text, "registry_overdue_applications") == 0
    assert sample(text, "registry_metrics_gauge_errors") == 0
    assert sample(text, "registry_celery_queue_length") is None  # no broker configured

    # A case submitted two months ago and still waiting is past its working-day target.
    submitted = timezone.now() - datetime.timedelta(days=60)
    with history.backdating():  # as the demo data dates its past
        submit_application(vendor=vendor, product=product, by=vendor_user, at=submitted)
    assert sample(scrape(), "registry_overdue_applications") == 1


@pytest.mark.django_db
def test_an_app_plugs_in_its_own_gauge_and_a_failing_one_costs_only_itself(scrape):
    metrics.register_gauge("registry_test_backlog", "A test's backlog.", lambda: 7)
    metrics.register_gauge("registry_test_broken", "Always fails.", lambda: 1 / 0)
    try:
        text = scrape()
        assert sample(text, "registry_test_backlog") == 7
        assert sample(text, "registry_test_broken") is None
        assert sample(text, "registry_metrics_gauge_errors") == 1
    finally:
        metrics._gauges.pop("registry_test_backlog")
        metrics._gauges.pop("registry_test_broken")


@pytest.mark.django_db
@pytest.mark.redis
def test_the_celery_queue_depth_is_read_from_the_broker(scrape, settings):
    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {BROKER}")
    client.delete("celery")
    client.rpush("celery", "one", "two")
    settings.CELERY_BROKER_URL = BROKER
    try:
        assert sample(scrape(), "registry_celery_queue_length", queue="celery") == 2
    finally:
        client.delete("celery")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_gunicorn_workers_metrics_are_added_up_in_multiprocess_mode(tmp_path):
    """Two workers, each counting the requests it answered in files of PROMETHEUS_MULTIPROC_DIR:
    a scrape answered by either worker counts every request."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = production_env(
        DATABASE_URL=database_url(connection.settings_dict),
        METRICS_TOKEN=TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(folder),
    )
    with Gunicorn(env=env, workers=2) as server:
        for _ in range(40):
            urllib.request.urlopen(f"{server.url}/healthz", timeout=10).read()
        request = urllib.request.Request(
            f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        text = urllib.request.urlopen(request, timeout=10).read().decode()
    assert len(list(folder.glob("counter_*.db"))) >= 1
    # wait_ready's probes of /healthz count too: at least the 40 made here, from every worker.
    assert sample(text, "registry_http_requests_total", view="healthz", status="200") >= 40


@pytest.mark.django_db
def test_the_outbox_backlog_and_the_screening_lists_age_are_gauges(
    scrape, vendor, vendor_user, product, settings, tmp_path
):
    settings.CELERY_BROKER_URL = ""
    text = scrape()
    waiting = sample(text, "registry_outbox_backlog")
    assert sample(text, "registry_outbox_deliveries", state="failed") == 0
    # The test's transaction never commits: the submission's event stays in the outbox.
    submit_application(vendor=vendor, product=product, by=vendor_user)
    assert sample(scrape(), "registry_outbox_backlog") == waiting + 1

    listed = tmp_path / "csl.json"
    # The whole sample, drawn anew: a list as long as the seeded one, so it is not quarantined.
    listed.write_text(json.dumps(samples.build(300, seed=7)), encoding="utf-8")
    screening_services.ingest_list(source="csl", path=str(listed), by=history.system_user())
    assert 0 <= sample(scrape(), "registry_screening_list_age_seconds") < 60
