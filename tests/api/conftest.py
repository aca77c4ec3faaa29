"""Fixtures of the API tests: two vendors with a user and a token each, and their clients."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from registry import roles
from tests.factories import (
    VendorFactory,
    issue_licence,
    register_product,
    submit_application,
    user_with_role,
)


@pytest.fixture
def api_client_for():
    """``api_client_for(user=…)``: an API client sending a fresh token of that user (none for
    ``user=None``)."""

    def build(*, user):
        client = APIClient()
        if user is not None:
            _, key = AuthToken.objects.create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return build


@pytest.fixture
def vendor_a(db):
    return VendorFactory(name="Acme Cyber Ltd")


@pytest.fixture
def vendor_b(db):
    return VendorFactory(name="Globex Intelligence Ltd")


@pytest.fixture
def user_a(vendor_a):
    return user_with_role(role=roles.VENDORS, username="vendor-acme", vendor=vendor_a)


@pytest.fixture
def user_b(vendor_b):
    return user_with_role(role=roles.VENDORS, username="vendor-globex", vendor=vendor_b)


@pytest.fixture
def api_a(api_client_for, user_a):
    return api_client_for(user=user_a)


@pytest.fixture
def api_b(api_client_for, user_b):
    return api_client_for(user=user_b)


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def product_a(vendor_a, user_a):
    return register_product(vendor=vendor_a, by=user_a)


@pytest.fixture
def application_a(vendor_a, user_a, product_a):
    return submit_application(vendor=vendor_a, product=product_a, by=user_a)


@pytest.fixture
def licence_a(vendor_a, user_a, product_a, official):
    return issue_licence(
        vendor=vendor_a, product=product_a, by=user_a, official=official, destination="DE"
    )
