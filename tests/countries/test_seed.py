"""The seed: every ISO 3166-1 country, the 102-country list of 2018 and the cut to 37 of 2021."""

import datetime
import io

import pytest
from django.core.management import call_command

from countries.models import Country, WhitelistChange, WhitelistRevision
from countries.seeding import load_fixture
from countries.selectors import revision_in_force, whitelist_as_of

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
REPORTED_37 = set(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PT RO SK SI ES SE "
    "IS LI NO CH GB AU CA IN JP NZ KR US".split()
)
REPORTED_REMOVED = set("AZ BH HU MX MA RW SA AE".split())


def history_row_count() -> int:
    models = [Country, WhitelistRevision, WhitelistChange]
    return sum(model.history.count() for model in models)


def test_seed_loads_every_iso_country_and_leaves_37_eligible():
    assert Country.objects.count() == 249
    assert set(Country.objects.filter(eligible=True).values_list("code", flat=True)) == REPORTED_37


def test_list_as_of_dates_around_the_cut():
    before = whitelist_as_of(datetime.datetime(2021, 11, 1, tzinfo=UTC))
    after = whitelist_as_of(datetime.datetime(2021, 12, 1, tzinfo=UTC))
    assert before.count() == 102
    assert after.count() == 37
    assert REPORTED_REMOVED <= set(before.values_list("code", flat=True))
    assert not REPORTED_REMOVED & set(after.values_list("code", flat=True))
    assert whitelist_as_of(datetime.datetime(2017, 6, 1, tzinfo=UTC)).count() == 0


def test_revision_in_force_follows_the_dates():
    assert revision_in_force(datetime.datetime(2021, 11, 1, tzinfo=UTC)).reference == "REV-2018-001"
    assert revision_in_force().reference == "REV-2021-001"


def test_each_of_the_65_removals_has_a_history_record_naming_the_revision():
    cut = WhitelistRevision.objects.get(reference="REV-2021-001")
    removed = cut.changes.filter(action=WhitelistChange.Action.REMOVE)
    assert removed.count() == 65
    assert not cut.changes.filter(action=WhitelistChange.Action.ADD).exists()
    for change in removed.select_related("country"):
        record = change.country.history.filter(eligible=False).order_by("-history_date").first()
        assert record.history_change_reason.startswith("REV-2021-001")
        assert record.history_date == datetime.datetime(2021, 11, 25, tzinfo=UTC)
        assert record.history_username == "system"


def test_seed_twice_changes_nothing_and_writes_no_history():
    before = history_row_count()
    snapshot = list(Country.objects.order_by("code").values_list("code", "eligible"))
    call_command("seed", stdout=io.StringIO())
    assert history_row_count() == before
    assert list(Country.objects.order_by("code").values_list("code", "eligible")) == snapshot


def test_fixture_says_which_members_are_reported_and_which_illustrative():
    original = load_fixture("whitelist-2018.json")["members"]
    assert len(original) == 102
    sources = {m["code"]: m["source"] for m in original}
    assert {code for code, source in sources.items() if source == "reported"} == (
        REPORTED_37 | REPORTED_REMOVED
    )
    assert sum(1 for source in sources.values() if source == "illustrative") == 57
    cut = load_fixture("whitelist-2021.json")["members"]
    assert {m["code"] for m in cut} == REPORTED_37
    assert {m["source"] for m in cut} == {"reported"}
