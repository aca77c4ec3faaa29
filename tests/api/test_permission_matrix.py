"""Who may call what: every API route and method, for each kind of caller.

The routes are read from the URL configuration, so an endpoint added without a row here fails
``test_every_api_route_and_method_has_a_row``.
"""

import json

import pytest
from django.urls import URLResolver, get_resolver, reverse

from tests.factories import application_body, file_declaration

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Vendor A acts last, so the requests of the others meet A's objects as they were.
ROLES = ("anonymous", "official", "auditor", "vendor_b", "vendor_a")

A, B, OFF, AUD, ANON = "vendor_a", "vendor_b", "official", "auditor", "anonymous"


def row(anonymous, vendor_a, vendor_b, official, auditor):
    return {ANON: anonymous, A: vendor_a, B: vendor_b, OFF: official, AUD: auditor}


NOT_OFFERED = row(401, 405, 405, 403, 403)
PUBLIC = row(200, 200, 200, 200, 200)
PUBLIC_NOT_OFFERED = row(405, 405, 405, 405, 405)

EXPECTED = {
    ("api:country-list", "GET"): row(401, 200, 200, 403, 403),
    ("api:country-detail", "GET"): row(401, 200, 200, 403, 403),
    ("api:product-list", "GET"): row(401, 200, 200, 403, 403),
    ("api:product-list", "POST"): row(401, 201, 201, 403, 403),
    ("api:product-detail", "GET"): row(401, 200, 404, 403, 403),
    ("api:application-list", "GET"): row(401, 200, 200, 403, 403),
    # B sends a request naming A's product: refused as a product B does not have.
    ("api:application-list", "POST"): row(401, 201, 400, 403, 403),
    ("api:application-detail", "GET"): row(401, 200, 404, 403, 403),
    ("api:application-withdraw", "POST"): row(401, 200, 404, 403, 403),
    # A's application is submitted: only a draft is changed, submitted or given parties.
    ("api:application-detail", "PATCH"): row(401, 409, 404, 403, 403),
    ("api:application-submit", "POST"): row(401, 409, 404, 403, 403),
    ("api:application-parties", "GET"): row(401, 200, 404, 403, 403),
    ("api:application-parties", "POST"): row(401, 409, 404, 403, 403),
    ("api:document-list", "GET"): row(401, 200, 404, 403, 403),
    # The matrix sends JSON; a document is filed as multipart/form-data.
    ("api:document-list", "POST"): row(401, 415, 404, 403, 403),
    ("api:document-detail", "GET"): row(401, 200, 404, 403, 403),
    ("api:document-file", "GET"): row(401, 200, 404, 403, 403),
    ("api:application-requests", "GET"): row(401, 200, 404, 403, 403),
    ("api:application-request-response", "POST"): row(401, 200, 404, 403, 403),
    ("api:application-notes", "GET"): row(401, 200, 404, 403, 403),
    # A's application is not decided yet: no receipt (tests/audit/test_receipts.py has one).
    ("api:application-receipt", "GET"): row(401, 404, 404, 403, 403),
    ("api:licence-list", "GET"): row(401, 200, 200, 403, 403),
    ("api:licence-detail", "GET"): row(401, 200, 404, 403, 403),
    ("api:webhooks", "GET"): row(401, 200, 200, 403, 403),
    # A loopback URL: both vendors reach the check of the address, which refuses it.
    ("api:webhooks", "POST"): row(401, 400, 400, 403, 403),
    ("api:webhook", "GET"): row(401, 200, 404, 403, 403),
    ("api:webhook", "DELETE"): row(401, 204, 404, 403, 403),
    ("api:webhook-deliveries", "GET"): row(401, 200, 404, 403, 403),
    ("api:webhook-redeliver", "POST"): row(401, 202, 404, 403, 403),
    ("api:licence-reports", "GET"): row(401, 200, 404, 403, 403),
    # A's licence is a marketing licence: deliveries are reported under an export licence.
    ("api:licence-reports", "POST"): row(401, 400, 404, 403, 403),
    ("api:licence-certificate", "GET"): row(401, 200, 404, 403, 403),
    # A's application is submitted: it has no refusal letter yet and cannot be appealed.
    ("api:application-letter", "GET"): row(401, 404, 404, 403, 403),
    ("api:application-appeal", "POST"): row(401, 409, 404, 403, 403),
    ("api-schema", "GET"): PUBLIC,
    ("api-docs", "GET"): PUBLIC,
}


def api_route_names():
    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif (prefix + str(pattern.pattern)).startswith("api/"):
                yield f"{namespace}{pattern.name}"

    return set(walk(get_resolver().url_patterns, "", ""))


def expected(route, method):
    if (route, method) in EXPECTED:
        return EXPECTED[(route, method)]
    return PUBLIC_NOT_OFFERED if route in ("api-schema", "api-docs") else NOT_OFFERED


def test_every_api_route_and_method_has_a_row():
    routes = api_route_names()
    assert routes, "the API routes were found"
    missing = {route for route in routes if not any(key[0] == route for key in EXPECTED)}
    assert not missing, f"routes without a row in EXPECTED: {sorted(missing)}"
    unknown = {key for key in EXPECTED if key[0] not in routes}
    assert not unknown, f"rows for routes that no longer exist: {sorted(unknown)}"


@pytest.fixture
def callers(api_client_for, user_a, user_b, official, auditor):
    return {
        ANON: api_client_for(user=None),
        A: api_client_for(user=user_a),
        B: api_client_for(user=user_b),
        OFF: api_client_for(user=official),
        AUD: api_client_for(user=auditor),
    }


def open_request(application, official):
    """The request for information on ``application``, raised once by ``official``."""
    from licenses import casework, services

    existing = application.information_requests.first()
    if existing:
        return existing
    services.start_review(application=application, by=official)
    return casework.raise_request(
        application=application, by=official, question="Who?", due_on=casework.due_in(5)
    )


def webhook_and_delivery(vendor, user):
    """A webhook of ``vendor`` and one delivery of it, made once."""
    from django.test import override_settings
    from django.utils import timezone

    from notifications.models import Delivery, OutboxEvent, Webhook
    from tests.factories import register_webhook

    webhook = Webhook.objects.filter(vendor=vendor).first()
    if webhook is None:
        with override_settings(WEBHOOK_ALLOW_PRIVATE=True):
            webhook, _ = register_webhook(vendor=vendor, by=user, url="https://127.0.0.1/hook")
        now = timezone.now()
        event = OutboxEvent.objects.create(
            type="licence.suspended",
            occurred_at=now,
            vendor=vendor,
            object_type="licence",
            object_reference="EL-2026-000001",
            payload={},
            dispatched_at=now,
        )
        Delivery.objects.create(
            event=event,
            channel="webhook",
            webhook=webhook,
            created_at=now,
            next_attempt_at=now,
            status="failed",
        )
    return webhook, webhook.deliveries.get()


def url_and_body(route, product_a, application_a, licence_a, caller, document_a, official):
    reference = {"reference": application_a.reference}
    on_a = {"application_reference": application_a.reference}
    keys = {
        "api:application-submit": {"reference": application_a.reference},
        "api:application-parties": {"reference": application_a.reference},
        "api:document-list": on_a,
        "api:document-detail": {**on_a, "key": document_a.key},
        "api:document-file": {**on_a, "key": document_a.key},
        "api:application-requests": reference,
        "api:application-notes": reference,
        "api:country-detail": {"code": "FR"},
        "api:product-detail": {"reference": product_a.reference},
        "api:application-detail": {"reference": application_a.reference},
        "api:application-withdraw": {"reference": application_a.reference},
        "api:application-receipt": {"reference": application_a.reference},
        "api:licence-detail": {"number": licence_a.number},
        "api:licence-reports": {"number": licence_a.number},
        "api:licence-certificate": {"number": licence_a.number},
        "api:application-letter": reference,
        "api:application-appeal": reference,
    }
    bodies = {
        "api:product-list": {
            "name": f"Extractor of {caller}",
            "control_entry": "5A004",
            "category": "forensics",
        },
        "api:application-list": application_body(product_a),
        "api:application-withdraw": {"reason": "No longer needed."},
        "api:application-detail": {"value": "1.00"},
        "api:application-parties": {"role": "consignee", "name": "Thales", "country": "FR"},
        "api:licence-reports": {
            "delivered_on": str(licence_a.valid_from),
            "systems": 1,
            "installation_country": "DE",
            "operating_unit": "Bundeskriminalamt",
            "remote_maintenance": False,
        },
        "api:application-appeal": {"grounds": "The end use is lawful."},
    }
    if route.startswith("api:webhook"):
        webhook, delivery = webhook_and_delivery(application_a.vendor, application_a.submitted_by)
        keys["api:webhook"] = {"id": webhook.key}
        keys["api:webhook-deliveries"] = {"id": webhook.key}
        keys["api:webhook-redeliver"] = {"id": webhook.key, "delivery_id": delivery.key}
        bodies["api:webhooks"] = {"url": "https://127.0.0.1/hook", "events": ["licence.revoked"]}
    if route == "api:application-request-response":
        request = open_request(application_a, official)
        keys[route] = {**reference, "request_id": str(request.uuid)}
        bodies[route] = {"response": "The national police."}
    return reverse(route, kwargs=keys.get(route)), bodies.get(route, {})


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("route", sorted({key[0] for key in EXPECTED}))
def test_permission_matrix(
    route, method, documents_folder, callers, product_a, application_a, licence_a, user_a, official
):
    document_a = file_declaration(application=application_a, by=user_a)
    answers = {}
    for role in ROLES:
        url, body = url_and_body(
            route, product_a, application_a, licence_a, role, document_a, official
        )
        data = b"" if method == "GET" else json.dumps(body)
        response = callers[role].generic(method, url, data=data, content_type="application/json")
        answers[role] = response.status_code
        # The docs page is HTML, a 204 has no body; every other answer is JSON or YAML.
        if route != "api-docs" and response.status_code != 204:
            assert response["Content-Type"].startswith("application/"), (role, response)
    assert answers == expected(route, method)
