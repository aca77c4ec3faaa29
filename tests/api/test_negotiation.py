"""Content negotiation: the short cut for the usual Accept headers answers exactly as REST
framework's own negotiation does, a 406 included."""

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from registry.api.negotiation import ContentNegotiation

ACCEPT_HEADERS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html",
    "text/html, application/json;q=0.9",
    "*/*;q=0.1, text/plain",
    "",
]


def answer(negotiation, request, renderers, format_suffix=None):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, format_suffix)
    except NotAcceptable:
        return "406"
    except Http404:
        return "404"
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPT_HEADERS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api", "?format=xml"])
@pytest.mark.parametrize("format_suffix", [None, "json"])
@pytest.mark.parametrize(
    "renderers", [[JSONRenderer()], [JSONRenderer(), BrowsableAPIRenderer()]], ids=["json", "both"]
)
def test_the_same_answer_as_rest_frameworks_negotiation(accept, query, format_suffix, renderers):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/countries/FR/{query}", **headers))
    assert answer(ContentNegotiation(), request, renderers, format_suffix) == answer(
        DefaultContentNegotiation(), request, renderers, format_suffix
    )


@pytest.mark.django_db
def test_a_client_that_accepts_no_json_is_answered_406(api_a):
    response = api_a.get("/api/v1/countries/FR/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert api_a.get("/api/v1/countries/FR/", HTTP_ACCEPT="application/json").status_code == 200
