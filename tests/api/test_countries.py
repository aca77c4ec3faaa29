"""Checking a destination: the list, the filter, and since when a country has had its standing."""

import pytest

from tests.factories import propose_removal

pytestmark = pytest.mark.django_db


def test_the_eligible_filter_gives_the_37_countries_of_the_whitelist(api_a):
    response = api_a.get("/api/v1/countries/", {"eligible": "true", "page_size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 37
    codes = {country["code"] for country in body["results"]}
    assert {"FR", "DE", "GB", "US", "JP"} <= codes
    assert not codes & {"MX", "HU", "PL", "AE", "SA"}


def test_the_list_is_paginated_over_every_country(api_a):
    body = api_a.get("/api/v1/countries/").json()
    assert body["count"] == 249
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert "page=2" in body["next"]


def test_a_country_on_the_list_says_since_when_and_by_which_revision(api_a):
    body = api_a.get("/api/v1/countries/FR/").json()
    assert body == {
        "code": "FR",
        "alpha3": "FRA",
        "name": "France",
        "eligible": True,
        "eligible_since": "2018-01-01T00:00:00Z",
        "ineligible_since": None,
        "revision": "REV-2018-001",
    }


def test_a_removed_country_says_since_when_it_is_not_eligible_and_never_eligible_since(api_a):
    body = api_a.get("/api/v1/countries/MX/").json()
    assert body["eligible"] is False
    assert body["ineligible_since"].startswith("2021-11-25")
    assert body["eligible_since"] is None
    assert body["revision"] == "REV-2021-001"


def test_the_cached_answer_for_a_removed_country_is_the_same(api_a):
    first = api_a.get("/api/v1/countries/MX/").json()
    again = api_a.get("/api/v1/countries/MX/").json()  # from the shared cache this time
    assert again == first
    assert again["eligible_since"] is None


def test_a_country_never_on_the_list_has_no_date(api_a):
    body = api_a.get("/api/v1/countries/CN/").json()
    assert body["eligible"] is False
    assert body["eligible_since"] is None
    assert body["ineligible_since"] is None
    assert body["revision"] is None


@pytest.mark.parametrize("code", ["fr", "XX", "F1", "FRA"])
def test_unknown_or_lowercase_codes_are_not_found(api_a, code):
    response = api_a.get(f"/api/v1/countries/{code}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_filter_value_that_is_not_a_boolean_is_a_400_with_the_field(api_a):
    response = api_a.get("/api/v1/countries/", {"eligible": "perhaps"})
    assert response.status_code == 400
    assert "eligible" in response.json()["errors"]


def test_a_cached_answer_changes_as_soon_as_a_revision_removing_the_country_is_applied(
    api_a, senior, second_senior, django_capture_on_commit_callbacks
):
    from countries import services

    assert api_a.get("/api/v1/countries/FR/").json()["eligible"] is True  # now cached
    revision = propose_removal(code="FR", by=senior)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_revision(revision=revision, by=second_senior)
    body = api_a.get("/api/v1/countries/FR/").json()
    assert body["eligible"] is False
    assert body["revision"] == revision.reference
