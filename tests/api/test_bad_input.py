"""Bad input: each answer a 4xx with a message saying what is wrong, and nothing stored."""

import json

import pytest

from licenses.models import LicenceApplication, Product
from tests.factories import application_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_stored():
    before = (LicenceApplication.objects.count(), Product.objects.count())
    yield
    assert (LicenceApplication.objects.count(), Product.objects.count()) == before


def post_raw(client, url, data, content_type="application/json"):
    return client.generic("POST", url, data=data, content_type=content_type)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"destination": "XX"}, "destination"),
        ({"destination": "fr"}, "destination"),
        ({"destination": "FRA"}, "destination"),
        ({"destination": 250}, "destination"),
        ({"destination": {"code": "FR"}}, "destination"),
        ({"licence_type": "transit"}, "licence_type"),
        ({"licence_type": None}, "licence_type"),
        ({"product": "PRD-2026-999999"}, "product"),
        ({"product": ["PRD-2026-000001"]}, "product"),
        ({"value": "-1.00"}, "value"),
        ({"value": "1e30"}, "value"),
        ({"value": "12.345"}, "value"),
        ({"value": "a lot"}, "value"),
        ({"value": True}, "value"),
        ({"currency": "eur"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"end_use": "x" * 5001}, "end_use"),
        ({"end_use": ""}, "end_use"),
        ({"end_user": {"name": "n" * 201, "kind": "intelligence"}}, "end_user"),
        ({"end_user": {"name": "Police", "kind": "mercenary"}}, "end_user"),
        ({"end_user": "Police"}, "end_user"),
        ({"end_user": {"name": "Police\x00", "kind": "intelligence"}}, "end_user"),
    ],
)
def test_an_invalid_application_is_a_400_naming_the_field(
    api_a, product_a, nothing_stored, changes, field
):
    response = api_a.post(
        "/api/v1/applications/", application_body(product_a, **changes), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    assert body["errors"][field]


def test_a_missing_field_is_named(api_a, product_a, nothing_stored):
    body = application_body(product_a)
    del body["currency"]
    response = api_a.post("/api/v1/applications/", body, format="json")
    assert response.json()["errors"] == {"currency": ["This field is required."]}


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"name": "x",}',
        b'{"value": NaN}',
        b'"\\ud800"',
        b"[" * 100_000,
        b"\xff\xfe",
    ],
)
def test_a_body_that_is_not_json_is_a_400(api_a, nothing_stored, raw):
    response = post_raw(api_a, "/api/v1/products/", raw)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("raw", [b"[]", b"42", b"null", b'"text"'])
def test_json_that_is_not_an_object_is_a_400(api_a, nothing_stored, raw):
    response = post_raw(api_a, "/api/v1/applications/", raw)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_a_body_over_one_megabyte_is_a_413(api_a, product_a, nothing_stored):
    body = application_body(product_a, end_use="x" * (2 * 1024 * 1024))
    response = post_raw(api_a, "/api/v1/applications/", json.dumps(body))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_form_body_is_a_415(api_a, nothing_stored):
    response = post_raw(
        api_a, "/api/v1/products/", "name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"category": "spyware"}, "category"),
        ({"name": ""}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"control_entry": "4A005" * 5}, "control_entry"),
        ({"description": ["a", "list"]}, "description"),
    ],
)
def test_an_invalid_product_is_a_400(api_a, nothing_stored, changes, field):
    body = {"name": "Probe", "control_entry": "4A005", "category": "intrusion", **changes}
    response = api_a.post("/api/v1/products/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    "query",
    [{"status": "approved!"}, {"page": "0"}, {"page": "x"}, {"page": "99"}, {"licence_type": "?"}],
)
def test_bad_query_parameters_are_4xx(api_a, query):
    response = api_a.get("/api/v1/applications/", query)
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


@pytest.mark.parametrize("key", ["PRD-2026-000001\x00", "%00", "é", "a" * 300])
def test_odd_keys_in_the_path_are_404(api_a, key):
    response = api_a.get(f"/api/v1/products/{key}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/v1/applications/?stauts=refused", "stauts"),
        ("/api/v1/applications/?status=refused&status=submitted", "status"),
        ("/api/v1/countries/?page_size=500", "page_size"),
        ("/api/v1/countries/?page=", "page"),
        ("/api/v1/countries/FR/?eligible=true", "eligible"),
    ],
)
def test_unknown_repeated_or_out_of_range_query_parameters_are_named_in_a_400(
    api_a, url, parameter
):
    response = api_a.get(url)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_a_fault_under_api_answers_json_and_elsewhere_the_html_page(rf):
    from registry.views import server_error

    api = server_error(rf.get("/api/v1/products/"))
    assert api.status_code == 500
    assert json.loads(api.content)["code"] == "error"
    assert server_error(rf.get("/countries/"))["Content-Type"].startswith("text/html")
