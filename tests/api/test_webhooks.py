"""The webhooks API: register (the secret shown once), list, remove, deliveries, redeliver;
URLs the registry must not call are refused with a message on the field."""

import pytest
from django.core.management import call_command

from licenses import services
from notifications import delivery
from notifications.models import Delivery, Webhook
from tests.factories import issue_licence, register_product

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"


def _register(api, url, events=("licence.suspended",)):
    return api.post(URL, {"url": url, "events": list(events)}, format="json")


def test_a_vendor_registers_a_webhook_and_sees_its_secret_once(api_a, receiver, webhook_settings):
    answer = _register(api_a, f"{receiver.url}/ok", ["licence.suspended", "licence.revoked"])
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["licence.revoked", "licence.suspended"]

    listed = api_a.get(URL).json()
    assert listed["count"] == 1
    assert "secret" not in listed["results"][0]
    one = api_a.get(f"{URL}{body['id']}/").json()
    assert one == {k: v for k, v in body.items() if k != "secret"}

    webhook = Webhook.objects.get(key=body["id"])
    assert body["secret"] not in webhook.secret_encrypted
    (record,) = webhook.history.all()
    assert record.history_username == "vendor-acme"
    assert not hasattr(record, "secret_encrypted")


def test_another_vendors_webhook_is_not_found(api_a, api_b, receiver, webhook_settings):
    key = _register(api_a, f"{receiver.url}/ok").json()["id"]
    assert api_b.get(f"{URL}{key}/").status_code == 404
    assert api_b.delete(f"{URL}{key}/").status_code == 404
    assert api_b.get(f"{URL}{key}/deliveries/").status_code == 404
    assert api_b.get(URL).json()["count"] == 0
    assert api_a.get(f"{URL}not-a-uuid/").status_code == 404


def test_removing_a_webhook_switches_it_off_with_history(api_a, receiver, webhook_settings):
    key = _register(api_a, f"{receiver.url}/ok").json()["id"]
    assert api_a.delete(f"{URL}{key}/").status_code == 204
    assert api_a.get(f"{URL}{key}/").status_code == 404
    webhook = Webhook.objects.get(key=key)
    assert not webhook.active
    assert [r.history_change_reason for r in webhook.history.order_by("audit_seq")] == [
        "Webhook registered for licence.suspended",
        "Webhook removed",
    ]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.example.com/x", "https"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[::ffff:169.254.169.254]/", "link-local"),
        ("https://localhost/hook", "loopback"),
        ("https://user:pw@hooks.example.com/", "password"),
        ("https://nothing.invalid/hook", "does not resolve"),
        ("not a url", "https"),
    ],
)
def test_urls_the_registry_must_not_call_are_refused(api_a, url, says):
    answer = _register(api_a, url)
    assert answer.status_code == 400
    messages = answer.json()["errors"]["url"]
    assert any(says in message for message in messages), messages
    assert not Webhook.objects.exists()


def test_link_local_is_refused_even_where_private_addresses_are_allowed(api_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert _register(api_a, "https://127.0.0.1/hook").status_code == 201
    answer = _register(api_a, "https://169.254.169.254/")
    assert answer.status_code == 400
    assert "link-local" in answer.json()["errors"]["url"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://127.0.0.1/", "events": []}, "events"),
        ({"url": "https://127.0.0.1/", "events": ["match.review"]}, "events"),
        ({"url": "https://127.0.0.1/", "events": "licence.suspended"}, "events"),
        ({"url": "https://127.0.0.1/"}, "events"),
        ({"events": ["licence.suspended"]}, "url"),
        ({"url": "https://127.0.0.1/", "events": ["licence.revoked"], "secret": "x"}, "secret"),
    ],
)
def test_bad_bodies_answer_400_with_the_field(api_a, settings, body, field):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    answer = api_a.post(URL, body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["errors"]


def test_officials_cannot_use_the_webhooks_api(api_client_for, official):
    assert api_client_for(user=official).get(URL).status_code == 403
    assert api_client_for(user=None).get(URL).status_code == 401


def test_deliveries_are_listed_and_one_can_be_sent_again(
    api_a, user_a, vendor_a, official, receiver, webhook_settings
):
    key = _register(api_a, f"{receiver.url}/ok").json()["id"]
    product = register_product(vendor=vendor_a, by=user_a)
    licence = issue_licence(vendor=vendor_a, product=product, by=user_a, official=official)
    services.suspend_licence(licence=licence, by=official, reason="Check")
    call_command("deliver_notifications", stdout=__import__("io").StringIO())

    page = api_a.get(f"{URL}{key}/deliveries/").json()
    assert page["count"] == 1
    (row,) = page["results"]
    assert row["status"] == "delivered"
    assert row["event"]["type"] == "licence.suspended"
    assert row["event"]["reference"] == licence.number
    assert row["response_status"] == 200
    assert len(receiver.received) == 1

    answer = api_a.post(f"{URL}{key}/deliveries/{row['id']}/redeliver/")
    assert answer.status_code == 202
    assert answer.json()["status"] == "pending"
    for delivery_id in delivery.due_deliveries():
        delivery.deliver(delivery_id)
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    assert Delivery.objects.get(key=row["id"]).attempts == 2
    assert api_a.post(f"{URL}{key}/deliveries/{key}/redeliver/").status_code == 404
