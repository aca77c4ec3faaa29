"""Scenarios a vendor lives through: submit, screening, follow, withdraw; products and licences."""

import pytest

from licenses import services
from licenses.models import LicenceApplication, Product
from tests.factories import application_body, submit_application

pytestmark = pytest.mark.django_db


def rules(body):
    return {result["rule"]: result["passed"] for result in body["screening"]}


def test_an_application_to_france_passes_screening_and_waits_for_an_official(api_a, product_a):
    response = api_a.post("/api/v1/applications/", application_body(product_a), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "submitted"
    assert body["reference"].startswith("APP-")
    assert all(rules(body).values()) and len(rules(body)) == 7
    assert body["screened_against"] == "REV-2021-001"
    stored = LicenceApplication.objects.get(reference=body["reference"])
    assert stored.status == "submitted"
    assert stored.history.first().history_username == "vendor-acme"
    followed = api_a.get(f"/api/v1/applications/{body['reference']}/").json()
    assert followed == body


def test_an_application_to_mexico_is_refused_by_screening_and_kept(api_a, product_a):
    response = api_a.post(
        "/api/v1/applications/", application_body(product_a, destination="MX"), format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "refused"
    assert rules(body)["destination_whitelisted"] is False
    assert "destination_whitelisted" in body["decision_reason"]
    assert LicenceApplication.objects.get(reference=body["reference"]).status == "refused"
    listed = api_a.get("/api/v1/applications/", {"status": "refused"}).json()
    assert [a["reference"] for a in listed["results"]] == [body["reference"]]
    assert api_a.get(f"/api/v1/applications/{body['reference']}/").json() == body


@pytest.mark.parametrize("value", ["12.5", "7", "0.00", "9999999999999.99"])
def test_the_answer_to_a_submission_is_what_reading_it_back_shows(api_a, product_a, value):
    response = api_a.post(
        "/api/v1/applications/", application_body(product_a, value=value), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["licence"] is None and body["decided_at"] is None
    assert api_a.get(f"/api/v1/applications/{body['reference']}/").json() == body


def test_an_export_submitted_at_once_is_incomplete_and_nothing_is_stored(api_a, product_a):
    response = api_a.post(
        "/api/v1/applications/", application_body(product_a, licence_type="export"), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "incomplete"
    assert "no end-user declaration (DECA-2021-12)" in body["detail"]
    assert "Create the application as a draft" in body["detail"]
    assert [r["rule"] for r in body["failed_rules"]] == ["end_user_declaration"]
    assert not LicenceApplication.objects.exists()


def test_withdrawing_before_a_decision_is_recorded_with_the_vendors_reason(api_a, application_a):
    url = f"/api/v1/applications/{application_a.reference}/withdraw/"
    response = api_a.post(url, {"reason": "The customer cancelled."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    latest = LicenceApplication.objects.get(pk=application_a.pk).history.first()
    assert (latest.status, latest.history_change_reason) == ("withdrawn", "The customer cancelled.")
    assert latest.history_username == "vendor-acme"


def test_withdrawing_after_a_decision_is_a_409_and_changes_nothing(api_a, application_a, official):
    services.refuse_application(
        application=application_a, by=official, criteria=["other"], reason="End use not credible."
    )
    response = api_a.post(f"/api/v1/applications/{application_a.reference}/withdraw/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert LicenceApplication.objects.get(pk=application_a.pk).status == "refused"


def test_withdrawing_twice_is_a_409(api_a, application_a):
    url = f"/api/v1/applications/{application_a.reference}/withdraw/"
    assert api_a.post(url).status_code == 200
    assert api_a.post(url).status_code == 409


def test_a_product_is_registered_with_its_own_reference(api_a, vendor_a):
    response = api_a.post(
        "/api/v1/products/",
        {"name": "Phone extractor", "control_entry": "5A004", "category": "forensics"},
        format="json",
    )
    assert response.status_code == 201
    reference = response.json()["reference"]
    assert Product.objects.get(reference=reference).vendor == vendor_a
    assert api_a.get(f"/api/v1/products/{reference}/").json()["name"] == "Phone extractor"


def test_a_second_product_of_the_same_name_is_a_409(api_a, product_a):
    response = api_a.post(
        "/api/v1/products/",
        {"name": product_a.name, "control_entry": "5A004", "category": "forensics"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"


def test_the_vendor_reads_its_licence_and_filters_by_status(api_a, licence_a):
    body = api_a.get(f"/api/v1/licences/{licence_a.number}/").json()
    assert body["number"].startswith("ML-")
    assert body["status"] == "active"
    assert body["destination"] == "DE"
    assert body["application"] == licence_a.application.reference
    assert api_a.get("/api/v1/licences/", {"status": "active"}).json()["count"] == 1
    assert api_a.get("/api/v1/licences/", {"status": "revoked"}).json()["count"] == 0


def test_the_application_shows_its_licence_once_approved(api_a, licence_a):
    body = api_a.get(f"/api/v1/applications/{licence_a.application.reference}/").json()
    assert (body["status"], body["licence"]) == ("approved", licence_a.number)


def test_another_vendors_objects_are_not_found_and_not_listed(
    api_b, application_a, licence_a, product_a
):
    for url in (
        f"/api/v1/products/{product_a.reference}/",
        f"/api/v1/applications/{application_a.reference}/",
        f"/api/v1/licences/{licence_a.number}/",
    ):
        assert api_b.get(url).status_code == 404, url
    assert api_b.post(f"/api/v1/applications/{application_a.reference}/withdraw/").status_code == (
        404
    )
    for url in ("/api/v1/products/", "/api/v1/applications/", "/api/v1/licences/"):
        assert api_b.get(url).json()["count"] == 0, url
    assert LicenceApplication.objects.get(pk=application_a.pk).status == "submitted"


def test_a_vendor_cannot_apply_with_another_vendors_product(api_b, product_a):
    response = api_b.post("/api/v1/applications/", application_body(product_a), format="json")
    assert response.status_code == 400
    assert "product" in response.json()["errors"]
    assert not LicenceApplication.objects.exists()


def test_a_suspended_vendor_can_still_apply_but_is_refused(api_a, vendor_a, product_a, official):
    services.suspend_vendor(vendor=vendor_a, by=official, reason="Under investigation.")
    body = api_a.post("/api/v1/applications/", application_body(product_a), format="json").json()
    assert body["status"] == "refused"
    assert rules(body)["vendor_in_good_standing"] is False


def test_the_list_is_newest_first(api_a, vendor_a, user_a, product_a):
    first = submit_application(vendor=vendor_a, by=user_a, product=product_a)
    second = submit_application(vendor=vendor_a, by=user_a, product=product_a, destination="MX")
    references = [a["reference"] for a in api_a.get("/api/v1/applications/").json()["results"]]
    assert references == [second.reference, first.reference]
