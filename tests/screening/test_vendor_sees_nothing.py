"""A vendor learns only that additional checks are in progress: never the list, the entry, the
score or the snapshot, whether its end user matched or not; and no screening page is theirs."""

import json

import pytest
from django.urls import reverse

from tests.factories import application_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Nightjar Signal Systems", "Bundeskriminalamt"])
def test_the_api_says_the_same_for_a_listed_and_an_unlisted_end_user(api_a, product_a, name):
    body = application_body(product_a, end_user={"name": name, "kind": "law_enforcement"})
    created = api_a.post("/api/v1/applications/", body, format="json")
    assert created.status_code == 201, created.content
    rule = next(r for r in created.json()["screening"] if r["rule"] == "no_unresolved_party_match")
    assert rule == {
        "rule": "no_unresolved_party_match",
        "passed": True,
        "message": "Additional checks in progress.",
    }
    shown = api_a.get(f"/api/v1/applications/{created.json()['reference']}/")
    text = json.dumps(shown.json())
    for secret in ("Nightjar Signal Systems LLC", "snapshot", "score", "csl", "entry"):
        assert secret not in text


def test_the_screening_pages_are_not_a_vendors(client, user_a):
    client.force_login(user_a)
    for name in ("screening:match-list", "screening:concern-list", "screening:snapshot-list"):
        assert client.get(reverse(name)).status_code == 403
