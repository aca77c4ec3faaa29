import pytest
from django.contrib.auth.models import Group

from registry import roles
from tests.licenses import helpers


@pytest.fixture
def vendor(official):
    return helpers.register_vendor(official)


@pytest.fixture
def vendor_user(vendor, django_user_model):
    user = django_user_model.objects.create_user(
        username="vendor-acme", password="pw", vendor=vendor
    )
    user.groups.add(Group.objects.get(name=roles.VENDORS))
    return user


@pytest.fixture
def product(vendor, vendor_user):
    return helpers.register_product(vendor, vendor_user)
