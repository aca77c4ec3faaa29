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


# --- Records made through the services, as the web and the API make them ----------------------


def register_product(vendor, user, name="Interceptor", **extra):
    from licenses import services

    return services.register_product(
        vendor=vendor,
        by=user,
        name=name,
        control_entry=extra.pop("control_entry", "5A001.j"),
        category=extra.pop("category", "interception"),
        **extra,
    )


def application_body(product, /, **changes):
    """A request to submit an application that passes screening, changed as given."""
    body = {
        "licence_type": "marketing",
        "product": product.reference,
        "destination": "FR",
        "end_user": {
            "name": "Direction générale de la sécurité intérieure",
            "kind": "intelligence",
        },
        "end_use": "Lawful interception in counter-terrorism investigations.",
        "value": "250000.00",
        "currency": "EUR",
    }
    body.update(changes)
    return body


def submit(vendor, user, product, destination="FR", licence_type="marketing"):
    from countries.models import Country
    from licenses import services

    return services.submit_application(
        vendor=vendor,
        by=user,
        product=product,
        licence_type=licence_type,
        destination=Country.objects.get(code=destination),
        end_user_name="Bundeskriminalamt",
        end_user_kind="law_enforcement",
        end_use="Investigations of serious crime under court order.",
        value="1000000.00",
        currency="EUR",
    )


@pytest.fixture
def product_a(vendor_a, user_a):
    return register_product(vendor_a, user_a)


@pytest.fixture
def application_a(vendor_a, user_a, product_a):
    return submit(vendor_a, user_a, product_a)


@pytest.fixture
def licence_a(vendor_a, user_a, product_a, official):
    from licenses import services

    application = submit(vendor_a, user_a, product_a, destination="DE")
    services.start_review(application=application, by=official)
    return services.approve_application(
        application=application, by=official, reason="End user and end use verified."
    )
