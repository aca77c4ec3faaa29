"""Vendors on the web: register, edit, suspend, debar, reinstate; never delete."""

import pytest

from licenses.models import Vendor

pytestmark = pytest.mark.django_db

VENDOR = {
    "name": "Acme Cyber Ltd",
    "registration_number": "51-1234567",
    "contact_name": "Dana Cohen",
    "contact_email": "compliance@acme.example",
    "contact_phone": "",
    "address": "",
}


def test_an_official_registers_a_vendor(client, official):
    client.force_login(official)
    response = client.post("/vendors/new/", VENDOR, follow=True)
    vendor = Vendor.objects.get(registration_number="51-1234567")
    assert response.redirect_chain[-1][0] == "/vendors/51-1234567/"
    assert "Acme Cyber Ltd is registered." in response.content.decode()
    assert vendor.status == "active"
    record = vendor.history.get()
    assert record.history_username == "official"


def test_invalid_registration_keeps_what_was_typed(client, official):
    client.force_login(official)
    client.post("/vendors/new/", VENDOR)
    response = client.post(
        "/vendors/new/", {**VENDOR, "name": "Acme Again", "contact_email": "not-an-email"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_contact_email"' in html
    assert 'href="#id_registration_number"' in html  # already registered
    assert 'value="Acme Again"' in html
    assert Vendor.objects.count() == 1


def test_editing_needs_a_reason_and_records_it(client, official):
    client.force_login(official)
    client.post("/vendors/new/", VENDOR)
    url = "/vendors/51-1234567/edit/"
    response = client.post(url, {**VENDOR, "contact_name": "Noa Levi", "reason": ""})
    assert "There is a problem" in response.content.decode()
    assert Vendor.objects.get().contact_name == "Dana Cohen"
    client.post(url, {**VENDOR, "contact_name": "Noa Levi", "reason": "New compliance officer"})
    vendor = Vendor.objects.get()
    assert vendor.contact_name == "Noa Levi"
    assert vendor.history.first().history_change_reason == "New compliance officer"


def test_suspend_debar_and_reinstate_with_reasons(client, official):
    client.force_login(official)
    client.post("/vendors/new/", VENDOR)
    url = "/vendors/51-1234567/status/"
    for action, status in (
        ("suspend", "suspended"),
        ("debar", "debarred"),
        ("reinstate", "active"),
    ):
        form = {"action": action, "reason": f"Test: {action}"}
        if action == "debar":  # checked first: nothing changes until confirmed
            check = client.post(url, form).content.decode()
            assert "Check your answers" in check and "Test: debar" in check
            assert Vendor.objects.get().status == "suspended"
            form["confirmed"] = "1"
        response = client.post(url, form, follow=True)
        assert response.status_code == 200
        assert Vendor.objects.get().status == status
    reasons = [r.history_change_reason for r in Vendor.objects.get().history.all()]
    assert {"Test: suspend", "Test: debar", "Test: reinstate"} <= set(reasons)


def test_a_status_change_without_reason_or_not_allowed_shows_the_error(client, official):
    client.force_login(official)
    client.post("/vendors/new/", VENDOR)
    url = "/vendors/51-1234567/status/"
    html = client.post(url, {"action": "suspend", "reason": ""}).content.decode()
    assert 'href="#id_reason"' in html
    html = client.post(url, {"action": "reinstate", "reason": "Already active"}).content.decode()
    assert "There is a problem" in html
    assert "Already active" in html
    assert Vendor.objects.get().status == "active"


def test_the_vendor_page_lists_products_applications_and_licences(client, official, system):
    from tests.factories import issue_licence, register_product, register_vendor

    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    licence = issue_licence(vendor=vendor, product=product, by=system, official=official)
    client.force_login(official)
    html = client.get(f"/vendors/{vendor.registration_number}/").content.decode()
    assert product.reference in html
    assert licence.application.reference in html
    assert licence.number in html


def test_the_vendor_list_searches_and_filters(client, official):
    client.force_login(official)
    client.post("/vendors/new/", VENDOR)
    client.post("/vendors/new/", {**VENDOR, "name": "Globex", "registration_number": "51-7"})
    client.post("/vendors/51-7/status/", {"action": "debar", "reason": "Breach", "confirmed": "1"})

    def names(query):
        return [v.name for v in client.get(f"/vendors/?{query}").context["page"].object_list]

    assert names("") == ["Acme Cyber Ltd", "Globex"]
    assert names("q=acme") == ["Acme Cyber Ltd"]
    assert names("status=debarred") == ["Globex"]


def test_the_vendor_list_costs_the_same_queries_for_3_or_30_vendors(client, official):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import LicenceFactory, VendorFactory

    client.force_login(official)
    for _ in range(3):
        LicenceFactory()
    with CaptureQueriesContext(connection) as few:
        client.get("/vendors/")
    VendorFactory.create_batch(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/vendors/")
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few)
    counts = {v.name: (v.application_count, v.licence_count) for v in response.context["page"]}
    assert (1, 1) in counts.values()
