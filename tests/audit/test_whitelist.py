"""The whitelist as it stood at any moment: exact, and the same as the countries' own history."""

import datetime

import pytest

from countries import selectors
from countries.models import RevisionStatus, WhitelistRevision
from countries.services import record_past_revision
from registry.audit import history

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
CUT = datetime.datetime(2021, 11, 25, tzinfo=UTC)


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_the_seeded_list_has_102_countries_before_the_cut_and_37_after():
    before = codes(selectors.whitelist_as_of(datetime.datetime(2021, 11, 1, tzinfo=UTC)))
    after = codes(selectors.whitelist_as_of(datetime.datetime(2021, 12, 1, tzinfo=UTC)))
    assert (len(before), len(after)) == (102, 37)
    assert {"HU", "MX", "SA", "AE", "AZ", "BH", "MA", "RW"} <= before - after
    assert after <= before
    assert codes(selectors.whitelist_as_of(datetime.datetime(2017, 6, 1, tzinfo=UTC))) == set()


def test_the_moment_a_revision_takes_effect_is_exact():
    just_before = CUT - datetime.timedelta(microseconds=1)
    assert selectors.whitelist_as_of(just_before).count() == 102
    assert selectors.whitelist_as_of(CUT).count() == 37


@pytest.mark.parametrize(
    "at",
    [
        datetime.datetime(2017, 12, 31, tzinfo=UTC),
        datetime.datetime(2018, 1, 1, tzinfo=UTC),
        datetime.datetime(2020, 5, 5, 12, tzinfo=UTC),
        CUT - datetime.timedelta(microseconds=1),
        CUT,
        datetime.datetime(2026, 1, 1, tzinfo=UTC),
    ],
)
def test_the_revisions_and_the_countries_history_agree(at):
    assert codes(selectors.whitelist_as_of(at)) == codes(selectors.whitelist_as_of_from_history(at))


def test_revisions_applied_at_the_same_instant_take_effect_in_the_order_recorded(system):
    same = datetime.datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    current = codes(selectors.eligible_countries())
    with history.backdating():
        record_past_revision(
            reference="REV-2024-001",
            title="Add Israel",
            reason="Test",
            members=current | {"IL"},
            applied_at=same,
            by=system,
        )
        record_past_revision(
            reference="REV-2024-002",
            title="Remove Israel again",
            reason="Test",
            members=current,
            applied_at=same,
            by=system,
        )
    assert "IL" not in codes(selectors.whitelist_as_of(same))
    assert codes(selectors.whitelist_as_of(same)) == codes(
        selectors.whitelist_as_of_from_history(same)
    )
    assert selectors.revision_in_force(same).reference == "REV-2024-002"


def test_the_list_is_read_with_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert len(list(selectors.whitelist_as_of(CUT))) == 37


def test_only_applied_revisions_count(official):
    revision = WhitelistRevision(
        reference="REV-2026-901",
        title="Proposed, never applied",
        reason="Test",
        status=RevisionStatus.PROPOSED,
        proposed_by=official,
    )
    history.save(revision, by=official, reason="Proposed")
    assert selectors.whitelist_as_of(datetime.datetime(2026, 6, 1, tzinfo=UTC)).count() == 37
