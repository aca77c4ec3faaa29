"""A request means one thing: no key given twice, no field the call does not take, no signed
zero; and no answer may be kept by a cache."""

import json

import pytest

from tests.factories import application_body

pytestmark = pytest.mark.django_db


def post_raw(client, path, text):
    return client.generic("POST", path, text, content_type="application/json")


def test_a_key_given_twice_is_refused_with_400(api_a, product_a):
    body = (
        '{"name": "Interceptor 2", "name": "Interceptor 3", "control_entry": "5A001.j",'
        ' "category": "interception"}'
    )
    response = post_raw(api_a, "/api/v1/products/", body)
    assert response.status_code == 400
    assert "'name' is given twice" in response.json()["detail"]
    assert api_a.get("/api/v1/products/").json()["count"] == 1


def test_a_key_given_twice_in_a_nested_object_is_refused_with_400(api_a, product_a):
    text = json.dumps(application_body(product_a, end_user="END_USER")).replace(
        '"END_USER"', '{"name": "BKA", "kind": "law_enforcement", "kind": "intelligence"}'
    )
    response = post_raw(api_a, "/api/v1/applications/", text)
    assert response.status_code == 400
    assert "'kind' is given twice" in response.json()["detail"]


def test_an_unknown_field_is_refused_with_a_message_on_that_field(api_a):
    response = api_a.post(
        "/api/v1/products/",
        {
            "name": "Interceptor",
            "control_entry": "5A001.j",
            "category": "interception",
            "descripton": "misspelt",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "descripton": [
            "Unknown field; this request takes category, control_entry, description, name."
        ]
    }


def test_an_unknown_field_of_a_nested_object_is_refused(api_a, product_a):
    body = application_body(product_a)
    body["end_user"]["country"] = "FR"
    response = api_a.post("/api/v1/applications/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]["end_user"]) == ["country"]


def test_an_unknown_field_on_withdrawal_is_refused(api_a, application_a):
    path = f"/api/v1/applications/{application_a.reference}/withdraw/"
    response = api_a.post(path, {"reason": "No longer needed.", "force": True}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["force"]


@pytest.mark.parametrize("value", ["-0", "-0.00", "-0.0"])
def test_a_negative_zero_value_is_refused_with_a_field_message(api_a, product_a, value):
    response = api_a.post(
        "/api/v1/applications/", application_body(product_a, value=value), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"value": ["Give zero without a sign: 0."]}


@pytest.mark.parametrize("value", [-0.0, 0, 250000])
def test_a_value_sent_as_a_json_number_is_refused_as_the_schema_says(api_a, product_a, value):
    response = api_a.post(
        "/api/v1/applications/", application_body(product_a, value=value), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"value": ["Give a JSON string."]}


def test_a_name_sent_as_a_number_is_refused(api_a):
    body = {"name": 0, "control_entry": "5A004", "category": "forensics"}
    response = api_a.post("/api/v1/products/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["Give a JSON string."]}


def test_a_product_name_already_used_answers_409(api_a, product_a):
    body = {"name": product_a.name, "control_entry": "5A004", "category": "forensics"}
    response = api_a.post("/api/v1/products/", body, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "You already have a product with this name.",
        "code": "name_taken",
    }


@pytest.mark.parametrize("query", ["status=", "licence_type="])
def test_an_empty_filter_is_refused(api_a, query):
    response = api_a.get(f"/api/v1/applications/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"] == {query[:-1]: ["Give a value, or leave the parameter out."]}


def test_a_zero_value_without_a_sign_is_taken(api_a, product_a):
    response = api_a.post(
        "/api/v1/applications/", application_body(product_a, value="0.00"), format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "path", ["/api/v1/countries/FR/", "/api/v1/products/", "/api/v1/applications/"]
)
def test_answers_carry_cache_control_no_store(api_a, anonymous_api, path):
    for client in (api_a, anonymous_api):
        response = client.get(path)
        assert "no-store" in response["Cache-Control"], (client, response.status_code)
