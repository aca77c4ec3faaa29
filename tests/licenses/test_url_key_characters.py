"""A key typed by a person is refused at the door when no URL could lead back to it.

A NUL character in a registration number was stored on SQLite, and the vendor's own page then
answered 404 for ever: the key converter rejects NUL in a path, as PostgreSQL rejects it in a
row. Control characters are refused for the same reason, with a message naming the field.
"""

import pytest
from django.core.exceptions import ValidationError

from licenses.models import Vendor
from tests.factories import register_vendor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", ["51\x00001", "\x0051", "HRB\t1234", "51\n0001", "51\x7f1"])
def test_a_registration_number_with_a_control_character_is_refused(official, number):
    with pytest.raises(ValidationError) as error:
        register_vendor(by=official, registration_number=number)
    assert error.value.message_dict["registration_number"] == [
        "Must not contain control characters (such as NUL, tab or a line break)."
    ]
    assert not Vendor.objects.exists()


def test_every_key_typed_by_a_person_refuses_nul():
    from countries.models import Country, WhitelistRevision
    from licenses.models import Licence, LicenceApplication, Product

    for model, name in [
        (Vendor, "registration_number"),
        (Country, "code"),
        (WhitelistRevision, "reference"),
        (Product, "reference"),
        (LicenceApplication, "reference"),
        (Licence, "number"),
    ]:
        field = model._meta.get_field(name)
        with pytest.raises(ValidationError):
            field.run_validators("A\x00")
