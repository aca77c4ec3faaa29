"""Write access to the shared cache alone grants no API access and runs no code in the app.

The attacker here can write any bytes under any key of the cache (Redis, as production runs it;
the in-process cache too) but does not know ``SECRET_KEY``.
"""

import json
import pickle
import secrets

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from registry.api import credentials

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/countries/FR/"
UNPICKLED = []


def _record_unpickling(what):
    UNPICKLED.append(what)
    return what


class SideEffect:
    """Bytes whose unpickling calls ``_record_unpickling``: any code could stand there."""

    def __reduce__(self):
        return _record_unpickling, ("the cache entry was unpickled",)


@pytest.fixture(params=["in-process", pytest.param("redis", marks=pytest.mark.redis)])
def plant(request):
    """Writes bytes (or, in the in-process cache, any object) under a cache key, as someone
    with write access to the cache would, bypassing the application."""
    from django.core.cache import cache

    if request.param == "redis":
        request.getfixturevalue("redis_cache")
        client = cache.client.get_client(write=True)
        return lambda key, value: client.set(cache.make_key(key), value, ex=60)
    return lambda key, value: cache.set(key, value, timeout=60)


def never_issued():
    """A key of the right shape that no one was ever given, and the client that sends it."""
    key = secrets.token_hex(32)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return key, client


def issued_token_of(user):
    token, key = AuthToken.objects.create(user=user)
    return token, key


def test_a_pickled_user_and_token_written_into_the_cache_authenticate_nothing(user_a, plant):
    token, _ = issued_token_of(user_a)
    key, client = never_issued()
    forged = AuthToken(digest=hash_token(key), token_key=key[:15], user=user_a)
    forged.expiry = token.expiry
    plant(credentials._key(forged.digest), pickle.dumps((user_a, forged)))
    assert client.get(CHECK).status_code == 401


def test_an_entry_whose_unpickling_runs_code_is_never_unpickled(user_a, plant):
    UNPICKLED.clear()
    key, client = never_issued()
    plant(credentials._key(hash_token(key)), pickle.dumps(SideEffect()))
    response = client.get(CHECK)
    assert UNPICKLED == []
    assert response.status_code == 401


@pytest.mark.parametrize("mac", ["", "0" * 64, "forged-with-another-secret"])
def test_a_well_formed_entry_without_the_servers_mac_authenticates_nothing(
    user_a, plant, settings, mac
):
    token, _ = issued_token_of(user_a)
    key, client = never_issued()
    digest = hash_token(key)
    forged = AuthToken(digest=digest, token_key=key[:15], user=user_a, expiry=token.expiry)
    forged.pk = token.pk
    if mac == "forged-with-another-secret":
        real_secret = settings.SECRET_KEY
        settings.SECRET_KEY = "a guess at the secret " * 3
        entry = credentials._entry(credentials._key(digest), user_a, forged)
        settings.SECRET_KEY = real_secret
    else:
        real = credentials._entry(credentials._key(digest), user_a, forged)
        entry = mac.encode() + b":" + real.partition(b":")[2] if mac else real.partition(b":")[2]
    plant(credentials._key(digest), entry)
    assert client.get(CHECK).status_code == 401


def test_an_entry_copied_from_another_tokens_key_authenticates_nothing(api_a, user_a, plant):
    from django.core.cache import cache

    assert api_a.get(CHECK).status_code == 200  # caches user_a's token
    token = AuthToken.objects.get(user=user_a)
    genuine = _stored(cache, credentials._key(token.digest))
    assert genuine is not None
    key, client = never_issued()
    plant(credentials._key(hash_token(key)), genuine)
    assert client.get(CHECK).status_code == 401


def test_an_entry_edited_in_the_cache_is_ignored_and_the_database_decides(api_a, user_a, plant):
    from django.core.cache import cache

    assert api_a.get(CHECK).status_code == 200
    token = AuthToken.objects.get(user=user_a)
    genuine = _stored(cache, credentials._key(token.digest))
    mac, _, payload = genuine.partition(b":")
    data = json.loads(payload)
    data["permissions"].append("licenses.decide")
    plant(credentials._key(token.digest), mac + b":" + json.dumps(data).encode())
    assert credentials.cached(token.digest)[0] is None
    with CaptureQueriesContext(connection) as captured:
        assert api_a.get(CHECK).status_code == 200
    assert any("knox_authtoken" in q["sql"] for q in captured)


def test_a_real_token_is_cached_as_json_with_a_mac_and_answered_without_sql(api_a, user_a, plant):
    from django.core.cache import cache

    assert api_a.get(CHECK).status_code == 200
    token = AuthToken.objects.get(user=user_a)
    stored = _stored(cache, credentials._key(token.digest))
    mac, _, payload = stored.partition(b":")
    assert len(mac) == 64 and json.loads(payload)["token"]["digest"] == token.digest
    with CaptureQueriesContext(connection) as captured:
        assert api_a.get(CHECK).status_code == 200
    assert captured.captured_queries == []


def _stored(cache, key):
    """The bytes under ``key`` as the cache holds them (raw in Redis)."""
    client_of = getattr(getattr(cache, "client", None), "get_client", None)
    if client_of is not None and hasattr(cache.client, "decode"):
        return client_of(write=False).get(cache.make_key(key))
    return cache.get(key)
