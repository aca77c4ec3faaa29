"""Reference numbers: consecutive per series, and a number rolled back is given again."""

import pytest
from django.db import transaction

from registry.references import next_reference

pytestmark = pytest.mark.django_db


def test_each_series_counts_from_one():
    with transaction.atomic():
        assert next_reference("APP", year=2031) == "APP-2031-000001"
        assert next_reference("APP", year=2031) == "APP-2031-000002"
        assert next_reference("EL", year=2031) == "EL-2031-000001"
        assert next_reference("APP", year=2032) == "APP-2032-000001"


def test_a_number_taken_in_a_transaction_that_rolls_back_is_given_again():
    with transaction.atomic():
        assert next_reference("PRD", year=2031) == "PRD-2031-000001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_reference("PRD", year=2031) == "PRD-2031-000002"
        raise RuntimeError("the write that needed the number failed")
    with transaction.atomic():
        assert next_reference("PRD", year=2031) == "PRD-2031-000002"


@pytest.mark.django_db(transaction=True)
def test_a_number_is_only_taken_inside_the_transaction_that_uses_it():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_reference("APP", year=2031)
