"""Fixtures of the API tests: two vendors with a user and a token each, and their clients."""

import pytest
from django.contrib.auth.models import Group
from knox.models import AuthToken
from rest_framework.test import APIClient

from registry import roles
from tests.licenses.factories import VendorFactory


def client_for(user=None, *, scheme="Token"):
    client = APIClient()
    if user is not None:
        _, key = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client


def vendor_user(username, vendor, django_user_model):
    user = django_user_model.objects.create_user(username=username, password="pw", vendor=vendor)
    user.groups.add(Group.objects.get(name=roles.VENDORS))
    return user


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def vendor_a(db):
    return VendorFactory(name="Acme Cyber Ltd")


@pytest.fixture
def vendor_b(db):
    return VendorFactory(name="Globex Intelligence Ltd")


@pytest.fixture
def user_a(vendor_a, django_user_model):
    return vendor_user("vendor-acme", vendor_a, django_user_model)


@pytest.fixture
def user_b(vendor_b, django_user_model):
    return vendor_user("vendor-globex", vendor_b, django_user_model)


@pytest.fixture
def api_a(user_a):
    return client_for(user_a)


@pytest.fixture
def api_b(user_b):
    return client_for(user_b)


@pytest.fixture
def anonymous_api():
    return APIClient()
