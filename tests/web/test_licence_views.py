"""Licences on the web: list and detail; suspend, reinstate, revoke with a reason."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from countries.models import Country
from licenses.models import LicenceStatus
from registry.audit import history
from tests.factories import issue_licence, register_product, register_vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(official, system):
    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    return issue_licence(vendor=vendor, product=product, by=system, official=official)


def act(client, licence, action, reason):
    return client.post(f"/licences/{licence.number}/action/", {"action": action, "reason": reason})


def test_suspend_and_reinstate_with_reasons(client, official, licence):
    client.force_login(official)
    act(client, licence, "suspend", "End-user declaration under review")
    licence.refresh_from_db()
    assert licence.status == "suspended"
    act(client, licence, "reinstate", "Declaration confirmed")
    licence.refresh_from_db()
    assert licence.status == "active"
    html = client.get(f"/licences/{licence.number}/").content.decode()
    assert "End-user declaration under review" in html
    assert "Declaration confirmed" in html


def test_a_reason_is_required(client, official, licence):
    client.force_login(official)
    html = act(client, licence, "revoke", "  ").content.decode()
    assert "There is a problem" in html
    assert 'href="#id_reason"' in html
    licence.refresh_from_db()
    assert licence.status == "active"


def test_reinstating_is_refused_while_the_destination_is_off_the_list(client, official, licence):
    client.force_login(official)
    act(client, licence, "suspend", "Destination under review")
    france = Country.objects.get(code="FR")
    france.eligible = False
    history.save(france, by=official, reason="test: removed from the whitelist")
    response = act(client, licence, "reinstate", "Trying to reinstate")
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Trying to reinstate" in html
    licence.refresh_from_db()
    assert licence.status == "suspended"


def test_revoking_is_checked_first_and_final(client, official, licence):
    client.force_login(official)
    check = act(client, licence, "revoke", "Breach of the end-user declaration").content.decode()
    assert "Check your answers" in check
    assert "Revoking is final" in check
    assert "Breach of the end-user declaration" in check
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE
    response = client.post(
        f"/licences/{licence.number}/action/",
        {"action": "revoke", "reason": "Breach of the end-user declaration", "confirmed": "1"},
    )
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    # A revoked licence offers no action at all, and one forced through is refused.
    page = client.get(f"/licences/{licence.number}/").content.decode()
    assert 'name="action"' not in page
    assert "cannot change status any more" in page
    html = act(client, licence, "reinstate", "Undo").content.decode()
    assert "There is a problem" in html
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED


def test_the_panel_offers_only_what_the_status_allows(client, official, licence):
    client.force_login(official)
    page = client.get(f"/licences/{licence.number}/").content.decode()
    assert 'value="suspend"' in page and 'value="revoke"' in page
    assert 'value="reinstate"' not in page
    act(client, licence, "suspend", "Under review")
    page = client.get(f"/licences/{licence.number}/").content.decode()
    assert 'value="reinstate"' in page and 'value="revoke"' in page
    assert 'value="suspend"' not in page


def test_the_page_shows_the_conditions_and_the_certificate(client, official, licence):
    client.force_login(official)
    page = client.get(f"/licences/{licence.number}/").content.decode()
    assert 'id="certificate-link"' in page
    response = client.get(page.split('id="certificate-link"')[0].rsplit('href="', 1)[1][:-2])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_list_filters_by_status_in_a_constant_number_of_queries(
    client, official, system, licence
):
    client.force_login(official)
    with CaptureQueriesContext(connection) as few:
        client.get("/licences/")
    vendor = licence.application.vendor
    for n in range(30):
        product = register_product(vendor=vendor, by=official, name=f"Product {n}")
        issue_licence(vendor=vendor, product=product, by=system, official=official)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/licences/")
    assert len(response.context["page"].object_list) == 25
    assert len(many) == len(few)
    act(client, licence, "suspend", "Review")
    suspended = client.get("/licences/?status=suspended").context["page"].object_list
    assert [item.number for item in suspended] == [licence.number]


def test_the_list_shows_one_vendors_licences_from_the_vendor_page_link(client, official, system):
    first = register_vendor(by=official)
    second = register_vendor(by=official, name="Globex Ltd", registration_number="51-0000002")
    mine = issue_licence(
        vendor=first,
        product=register_product(vendor=first, by=official),
        by=system,
        official=official,
    )
    issue_licence(
        vendor=second,
        product=register_product(vendor=second, by=official),
        by=system,
        official=official,
    )
    client.force_login(official)
    listed = client.get("/licences/?vendor=51-0000001").context["page"].object_list
    assert [licence.number for licence in listed] == [mine.number]
