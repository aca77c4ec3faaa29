"""The OpenAPI schema and its docs page, which works with no network but the registry's own."""

import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anonymous_api):
    response = anonymous_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_openapi_3_with_the_token_scheme(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert "/api/v1/countries/{code}/" in schema["paths"]


def test_every_operation_documents_the_error_codes(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "404", "429"} <= codes, (method, path)
            if method == "post":
                assert {"413", "415", "422"} <= codes, (method, path)


def test_the_docs_page_loads_every_asset_from_the_registry_itself(anonymous_api, client):
    response = anonymous_api.get("/api/docs/")
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets, "the page names its assets"
    assert not re.search(r"https?://", page), "no asset from another host"
    for asset in assets:
        # Static files, and the page's own script, served apart so the CSP needs no inline script.
        assert asset.startswith(("/static/", "/api/docs/?script")), asset
        asset_response = client.get(asset)
        assert asset_response.status_code == 200, asset
    assert "<script>" not in page, "no inline script: the CSP forbids it"


def test_the_schema_validates_against_openapi_with_no_generator_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/applications/{reference}/withdraw/" in target.read_text()
