"""``Idempotency-Key``: a retry returns the first answer and creates nothing, even at once."""

import threading

import pytest
from django.db import connection

from licenses.models import LicenceApplication, Product
from registry.models import IdempotencyRecord
from tests.api.conftest import application_body, client_for, register_product

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
    product_b = register_product(vendor_b, user_b)
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
def test_two_first_requests_at_once_make_one_application(user_a, product_a):
    clients = [client_for(user_a) for _ in range(4)]
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def send(index):
        try:
            barrier.wait(timeout=30)
            responses[index] = post(clients[index], application_body(product_a))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [r.status_code for r in responses] == [201] * len(clients)
    assert len({r.json()["reference"] for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == len(clients) - 1
    assert LicenceApplication.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
