"""``Idempotency-Key``: a retry returns the first answer and creates nothing, even at once."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from licenses.models import LicenceApplication, Product
from registry.models import IdempotencyRecord
from tests.factories import application_body, register_product
from tests.support.concurrency import run_together
from tests.support.servers import ROOT

KEY = "6f1c1f8e-4f55-4a3a-9d2e-3b7f1f0e9a01"


def post(client, body, key=KEY, url="/api/v1/applications/"):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_retry_returns_the_first_answer_and_creates_nothing(api_a, product_a):
    first = post(api_a, application_body(product_a))
    retry = post(api_a, application_body(product_a))
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert LicenceApplication.objects.count() == 1


@pytest.mark.django_db
def test_the_answer_is_replayed_even_after_the_application_changed(api_a, product_a):
    first = post(api_a, application_body(product_a)).json()
    api_a.post(f"/api/v1/applications/{first['reference']}/withdraw/")
    assert post(api_a, application_body(product_a)).json()["status"] == "submitted"


@pytest.mark.django_db
def test_the_same_key_for_a_different_request_is_a_422(api_a, product_a):
    assert post(api_a, application_body(product_a)).status_code == 201
    response = post(api_a, application_body(product_a, destination="DE"))
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    other_path = post(
        api_a, {"name": "X", "control_entry": "4A005", "category": "other"}, url="/api/v1/products/"
    )
    assert other_path.status_code == 422
    assert LicenceApplication.objects.count() == 1
    assert Product.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_user(api_a, api_b, product_a, vendor_b, user_b):
    product_b = register_product(vendor=vendor_b, by=user_b)
    assert post(api_a, application_body(product_a)).status_code == 201
    second = post(api_b, application_body(product_b))
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert LicenceApplication.objects.count() == 2


@pytest.mark.django_db
def test_a_request_that_failed_is_not_stored_and_can_be_retried(api_a, product_a):
    assert post(api_a, application_body(product_a, currency="euro")).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert post(api_a, application_body(product_a)).status_code == 201


@pytest.mark.django_db
def test_a_retried_withdrawal_answers_as_the_first_did(api_a, application_a):
    url = f"/api/v1/applications/{application_a.reference}/withdraw/"
    first = post(api_a, {}, url=url)
    retry = post(api_a, {}, url=url)
    assert first.status_code == retry.status_code == 200
    assert application_a.history.filter(status="withdrawn").count() == 1
    assert api_a.post(url).status_code == 409  # a new request without the key


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "two words"])
def test_a_malformed_key_is_a_400(api_a, product_a, key):
    response = post(api_a, application_body(product_a), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not LicenceApplication.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_requests_at_once_make_one_application(api_client_for, user_a, product_a):
    clients = [api_client_for(user=user_a) for _ in range(4)]
    responses = run_together(
        *(lambda client=client: post(client, application_body(product_a)) for client in clients)
    )

    assert [r.status_code for r in responses] == [201] * len(clients)
    assert len({r.json()["reference"] for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == len(clients) - 1
    assert LicenceApplication.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


# --- Retention: a key is remembered for IDEMPOTENCY_KEY_RETENTION_HOURS ------------------------


def _age(hours: float, **filters) -> None:
    """Makes the matching records as old as if they had been written ``hours`` ago."""
    IdempotencyRecord.objects.filter(**filters).update(
        created_at=timezone.now() - datetime.timedelta(hours=hours)
    )


@pytest.mark.django_db
@override_settings(IDEMPOTENCY_KEY_RETENTION_HOURS=24)
def test_a_retry_after_the_retention_creates_a_new_application(api_a, product_a):
    first = post(api_a, application_body(product_a))
    _age(25, key=KEY)

    retry = post(api_a, application_body(product_a))

    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert retry.json()["reference"] != first.json()["reference"]
    assert LicenceApplication.objects.count() == 2
    # The new answer is the one replayed from now on.
    again = post(api_a, application_body(product_a))
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["reference"] == retry.json()["reference"]
    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.django_db
@override_settings(IDEMPOTENCY_KEY_RETENTION_HOURS=24)
def test_a_key_within_the_retention_is_replayed(api_a, product_a):
    first = post(api_a, application_body(product_a))
    _age(23, key=KEY)

    retry = post(api_a, application_body(product_a))

    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert LicenceApplication.objects.count() == 1


@pytest.mark.django_db
@override_settings(IDEMPOTENCY_KEY_RETENTION_HOURS=1)
def test_an_expired_key_may_be_used_for_another_request(api_a, product_a):
    assert post(api_a, application_body(product_a)).status_code == 201
    _age(2, key=KEY)

    other = post(api_a, application_body(product_a, destination="DE"))

    assert other.status_code == 201
    assert LicenceApplication.objects.filter(destination__code="DE").count() == 1


@pytest.fixture
def records(user_a, user_b):
    """Two records past a 24-hour retention and one within it."""
    for user, key in ((user_a, "old-1"), (user_b, "old-2"), (user_a, "fresh")):
        IdempotencyRecord.objects.create(
            user=user, key=key, request_fingerprint="f", response_status=201, response_body={}
        )
    _age(30, key__startswith="old-")
    _age(2, key="fresh")


def _purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_idempotency_records", *args, stdout=out)
    return out.getvalue()


def _keys() -> set[str]:
    return set(IdempotencyRecord.objects.values_list("key", flat=True))


@pytest.mark.django_db
@override_settings(IDEMPOTENCY_KEY_RETENTION_HOURS=24)
def test_the_purge_deletes_only_expired_records_and_says_how_many(records):
    assert _purge() == "2 idempotency record(s) older than 24 hours deleted.\n"
    assert _keys() == {"fresh"}
    assert _purge() == "0 idempotency record(s) older than 24 hours deleted.\n"


@pytest.mark.django_db
@override_settings(IDEMPOTENCY_KEY_RETENTION_HOURS=24)
def test_the_purge_in_batches_smaller_than_the_expired_records_deletes_them_all(records):
    assert _purge("--batch-size", "1").startswith("2 idempotency record(s)")
    assert _keys() == {"fresh"}


@pytest.mark.django_db
@override_settings(IDEMPOTENCY_KEY_RETENTION_HOURS=24)
def test_a_dry_run_counts_and_deletes_nothing(records):
    assert _purge("--dry-run").startswith("2 idempotency record(s) older than 24 hours would be")
    assert _keys() == {"old-1", "old-2", "fresh"}


@pytest.mark.django_db
@override_settings(IDEMPOTENCY_KEY_RETENTION_HOURS=1)
def test_the_retention_comes_from_the_setting(records):
    assert _purge().startswith("3 idempotency record(s) older than 1 hour ")
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_batch_size_below_one_is_refused(records):
    with pytest.raises(CommandError):
        _purge("--batch-size", "0")
    assert len(_keys()) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_retries_at_once_with_an_expired_key_make_one_new_application(
    api_client_for, user_a, product_a
):
    first = post(api_client_for(user=user_a), application_body(product_a)).json()
    _age(25, key=KEY)
    clients = [api_client_for(user=user_a) for _ in range(4)]
    responses = run_together(
        *(lambda client=client: post(client, application_body(product_a)) for client in clients)
    )

    assert [r.status_code for r in responses] == [201] * len(clients)
    references = {r.json()["reference"] for r in responses}
    assert len(references) == 1 and first["reference"] not in references
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == len(clients) - 1
    assert LicenceApplication.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def _retention_in_a_new_process(**env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k != "IDEMPOTENCY_KEY_RETENTION_HOURS"
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="registry.settings", DEBUG="true")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.IDEMPOTENCY_KEY_RETENTION_HOURS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_retention_is_read_from_the_environment_and_defaults_to_a_day():
    assert float(_retention_in_a_new_process().stdout) == 24
    assert float(_retention_in_a_new_process(IDEMPOTENCY_KEY_RETENTION_HOURS="1.5").stdout) == 1.5
    refused = _retention_in_a_new_process(IDEMPOTENCY_KEY_RETENTION_HOURS="0")
    assert refused.returncode != 0
    assert "IDEMPOTENCY_KEY_RETENTION_HOURS must be a positive number" in refused.stderr
