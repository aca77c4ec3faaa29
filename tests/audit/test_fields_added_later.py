"""A field added to a tracked model after records were written leaves their hashes valid.

Records written before ``Licence.changed_by_revision`` existed were hashed without it: an empty
field added later is left out of a record's canonical form, so those records still verify, and
once it holds a value it is hashed like any other.
"""

import pytest

from countries import services
from registry.audit import chain
from tests.factories import issue_licence, propose_removal

pytestmark = pytest.mark.django_db


def test_an_empty_field_added_later_is_not_hashed_and_a_set_one_is(
    official, senior, second_senior, vendor, vendor_user, product
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    before = licence.history.latest()
    assert b"changed_by_revision_id" not in chain.canonical(before)
    assert b"renewal_barred" in chain.canonical(before)

    services.approve_revision(revision=propose_removal(code="FR", by=senior), by=second_senior)
    after = licence.history.latest()
    assert b'"changed_by_revision_id"' in chain.canonical(after)
    assert chain.verify_chain().ok
