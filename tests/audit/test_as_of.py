"""A date alone means the end of that day, on every audit form, in every format they accept."""

import datetime
import json

import pytest
from django.urls import reverse

from countries import selectors
from countries.services import record_past_revision
from registry.audit import history

pytestmark = pytest.mark.django_db

MIDDAY = datetime.datetime(2024, 3, 1, 14, 30, tzinfo=datetime.UTC)


@pytest.fixture
def israel_added_at_midday(system):
    current = set(selectors.eligible_countries().values_list("code", flat=True))
    with history.backdating():
        return record_past_revision(
            reference="REV-2024-001",
            title="Add Israel",
            reason="Test",
            members=current | {"IL"},
            applied_at=MIDDAY,
            by=system,
        )


def _whitelist(client, as_of):
    response = client.get(reverse("audit:whitelist"), {"as_of": as_of, "format": "json"})
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.mark.parametrize("day", ["2024-03-01", "01/03/2024", "2024-3-1"])
def test_a_date_alone_shows_the_list_at_the_end_of_that_day(
    auditor_client, israel_added_at_midday, day
):
    data = _whitelist(auditor_client, day)
    assert "IL" in {c["code"] for c in data["countries"]}
    assert data["revision_in_force"]["reference"] == "REV-2024-001"
    assert data["as_of"].startswith("2024-03-01T23:59:59")


def test_a_time_before_the_revision_shows_the_list_before_it(
    auditor_client, israel_added_at_midday
):
    before = _whitelist(auditor_client, "2024-03-01T14:29")
    after = _whitelist(auditor_client, "2024-03-01 14:30")
    assert "IL" not in {c["code"] for c in before["countries"]}
    assert "IL" in {c["code"] for c in after["countries"]}


def test_the_diff_up_to_a_date_includes_that_days_revision(auditor_client, israel_added_at_midday):
    response = auditor_client.get(
        reverse("audit:whitelist-diff"),
        {"from": "2024-02-29", "to": "2024-03-01", "format": "json"},
    )
    assert response.status_code == 200
    changes = json.loads(response.content)["changes"]
    assert [(c["action"], c["code"]) for c in changes] == [("added", "IL")]


def test_a_moment_with_an_offset_is_read_as_that_instant(auditor_client, israel_added_at_midday):
    assert "IL" in {
        c["code"] for c in _whitelist(auditor_client, "2024-03-01T09:30-05:00")["countries"]
    }
    assert "IL" not in {
        c["code"] for c in _whitelist(auditor_client, "2024-03-01T16:29+02:00")["countries"]
    }


@pytest.mark.parametrize("day", ["01/03/2024", "2024-03-01"])
def test_the_timeline_and_the_whitelist_accept_the_same_dates(auditor_client, day):
    assert auditor_client.get(reverse("audit:timeline"), {"start": day}).status_code == 200
    assert auditor_client.get(reverse("audit:whitelist"), {"as_of": day}).status_code == 200
    assert (
        auditor_client.get(reverse("audit:whitelist-diff"), {"from": day, "to": day}).status_code
        == 200
    )
