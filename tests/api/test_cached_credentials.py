"""A vendor's token and rights are answered from the shared cache, and every change of rights
takes effect on the next call."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from registry import roles
from registry.accounts import services as accounts

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/countries/FR/"


def sql_of(client, path=CHECK):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response, [q["sql"] for q in captured]


def test_a_repeated_eligibility_check_runs_no_sql_at_all(api_a):
    first, first_sql = sql_of(api_a)
    again, again_sql = sql_of(api_a)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert any("knox_authtoken" in sql for sql in first_sql)
    assert again_sql == []


def test_the_cache_is_keyed_by_the_token_digest_and_holds_no_key_or_password_hash(api_a, user_a):
    from django.core.cache import cache

    from registry.api import credentials

    api_a.get(CHECK)
    key = api_a._credentials["HTTP_AUTHORIZATION"].split()[1]
    token = AuthToken.objects.get(user=user_a)
    user_a.refresh_from_db()
    stored = cache.get(credentials._key(token.digest))
    assert isinstance(stored, bytes)  # JSON behind its MAC (test_credential_forgery)
    assert cache.get(credentials._key(key)) is None
    assert key.encode() not in stored
    assert user_a.password and user_a.password.encode() not in stored


def test_a_user_answered_from_the_cache_is_the_same_user(api_a, user_a):
    from registry.api import credentials

    api_a.get(CHECK)
    token = AuthToken.objects.get(user=user_a)
    (user, cached_token), _, _ = credentials.cached(token.digest)
    assert (user.pk, user.username, user.vendor_id) == (
        user_a.pk,
        user_a.username,
        user_a.vendor_id,
    )
    assert user.has_perm("registry.use_vendor_api") and not user.has_perm("licenses.decide")
    assert cached_token.pk == token.pk and cached_token.expiry == token.expiry
    # The password hash was never cached: it is read from the database if ever needed.
    assert user.get_deferred_fields() == {"password"}
    assert user.check_password("not the password") is False


def test_a_revoked_token_is_refused_on_the_next_call(
    api_a, user_a, django_capture_on_commit_callbacks
):
    assert api_a.get(CHECK).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        AuthToken.objects.filter(user=user_a).get().delete()
    assert api_a.get(CHECK).status_code == 401


def test_a_deactivated_user_is_refused_on_the_next_call(
    api_a, user_a, django_capture_on_commit_callbacks
):
    assert api_a.get(CHECK).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        accounts.deactivate_user(user=user_a, by=user_a, reason="Left the company")
    assert api_a.get(CHECK).status_code == 401


def test_a_user_taken_out_of_the_vendors_role_is_refused_on_the_next_call(
    api_a, user_a, django_capture_on_commit_callbacks
):
    assert api_a.get(CHECK).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        accounts.set_roles(user=user_a, role_names=[], by=user_a, reason="Left the company")
    assert api_a.get(CHECK).status_code == 403


def test_a_role_losing_a_permission_refuses_its_users_on_the_next_call(
    api_a, django_capture_on_commit_callbacks
):
    assert api_a.get(CHECK).status_code == 200
    vendors = Group.objects.get(name=roles.VENDORS)
    api_access = Permission.objects.get(codename="use_vendor_api")
    with django_capture_on_commit_callbacks(execute=True):
        vendors.permissions.remove(api_access)
    assert api_a.get(CHECK).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        api_access.group_set.add(vendors)  # the same change from the permission's side
    assert api_a.get(CHECK).status_code == 200


def test_with_the_cache_off_every_call_checks_the_database(api_a, settings):
    settings.API_CREDENTIALS_CACHE_SECONDS = 0
    api_a.get(CHECK)
    _, sql = sql_of(api_a)
    assert any("knox_authtoken" in s for s in sql)


@pytest.mark.redis
def test_through_redis_a_repeated_check_runs_no_sql_and_still_counts_against_the_rate(
    api_a, settings, redis_cache
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anonymous": "2/minute"},
    }
    first, _ = sql_of(api_a)
    second, second_sql = sql_of(api_a)
    third, _ = sql_of(api_a)
    fourth, _ = sql_of(api_a)
    assert [r.status_code for r in (first, second, third, fourth)] == [200, 200, 200, 429]
    assert second.json()["code"] == "FR"
    assert second_sql == []
