"""A country's cached standing is never unpickled: whatever someone with write access to Redis
puts under its key is a miss, and the answer comes from the database."""

import pickle

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from countries import selectors, standing_cache
from countries.models import Country
from registry import roles
from tests.factories import VendorFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

RAN: list[str] = []


def _run_on_unpickling(code):
    """What a planted pickle runs when read: here, a note and a forged standing."""
    RAN.append(code)
    return {
        "code": code,
        "alpha3": "RUS",
        "name": "Russian Federation",
        "eligible": True,
        "eligible_since": None,
        "ineligible_since": None,
        "revision": "REV-FORGED",
    }


class Planted:
    def __reduce__(self):
        return _run_on_unpickling, ("RU",)


def _plant(key: str, value: bytes) -> None:
    cache.client.get_client(write=True).set(cache.make_key(key), value, ex=60)


@pytest.fixture(autouse=True)
def _clean():
    RAN.clear()
    yield
    RAN.clear()


def test_a_pickle_planted_in_a_standing_is_never_unpickled(redis_cache):
    key = standing_cache.standing_key("RU")
    _plant(key, pickle.dumps(Planted()))
    standing = standing_cache.country_standing("RU")
    assert RAN == []
    assert standing["eligible"] is False
    assert standing["revision"] != "REV-FORGED"


def test_through_the_api_a_planted_standing_is_a_miss(redis_cache):
    vendor_user = user_with_role(role=roles.VENDORS, username="v", vendor=VendorFactory())
    _, token = AuthToken.objects.create(user=vendor_user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    key = standing_cache.standing_key("RU")
    _plant(key, pickle.dumps(Planted()))
    body = api.get("/api/v1/countries/RU/").json()
    assert RAN == []
    assert body["eligible"] is False


def test_a_standing_copied_from_another_key_or_edited_is_a_miss(redis_cache):
    standing_cache.refresh_standings()
    france = cache.client.get_client().get(cache.make_key(standing_cache.standing_key("FR")))
    _plant(standing_cache.standing_key("RU"), france)
    assert standing_cache.country_standing("RU")["code"] == "RU"
    _plant(standing_cache.standing_key("RU"), france.replace(b'"FR"', b'"RU"'))
    assert standing_cache.country_standing("RU")["eligible"] is False


def test_a_cached_standing_reads_back_as_the_database_gives_it(redis_cache):
    standing_cache.refresh_standings()
    for code in ["FR", "RU", "HU"]:
        expected = selectors.standings(Country.objects.filter(code=code))[code]
        assert standing_cache.country_standing(code) == expected
