"""The change feeds: ``?updated_since=`` on the lists of applications and licences."""

import datetime

import pytest
from django.utils import timezone

from licenses import services
from tests.factories import export_licence

pytestmark = pytest.mark.django_db


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def test_only_what_changed_since_is_listed_oldest_change_first(
    api_a, application_a, licence_a, official
):
    before = timezone.now()
    assert api_a.get("/api/v1/licences/", {"updated_since": _iso(before)}).json()["count"] == 0

    services.suspend_licence(licence=licence_a, by=official, reason="Inquiry opened")
    body = api_a.get("/api/v1/licences/", {"updated_since": _iso(before)}).json()
    assert [row["number"] for row in body["results"]] == [licence_a.number]
    row = body["results"][0]
    assert row["status"] == "suspended"
    assert row["status_reason"] == "Inquiry opened"
    assert row["status_changed_at"] >= _iso(before)[:19]
    assert row["updated_at"] >= _iso(before)[:19]

    services.start_review(application=application_a, by=official)
    apps = api_a.get("/api/v1/applications/", {"updated_since": _iso(before)}).json()
    assert [row["reference"] for row in apps["results"]] == [application_a.reference]
    assert apps["results"][0]["updated_at"] is not None


def test_an_offset_is_read_as_the_instant_it_names(api_a, licence_a):
    changed = licence_a.updated_at
    just_before = (changed - datetime.timedelta(seconds=1)).astimezone(
        datetime.timezone(datetime.timedelta(hours=2))
    )
    found = api_a.get(
        f"/api/v1/licences/?updated_since={just_before.isoformat().replace('+', '%2B')}"
    )
    assert found.status_code == 200
    assert found.json()["count"] == 1


def test_another_vendors_changes_are_never_in_the_feed(api_b, licence_a):
    since = _iso(licence_a.updated_at - datetime.timedelta(minutes=1))
    assert api_b.get("/api/v1/licences/", {"updated_since": since}).json()["count"] == 0
    assert api_b.get("/api/v1/applications/", {"updated_since": since}).json()["count"] == 0


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-23",  # a date alone
        "2026-11-23T10:00:00",  # no zone
        "2026-11-23 10:00:00Z",  # a space for the T
        "2026-11-23T10:00:00 02:00",  # a + sent unencoded
        "yesterday",
        "2026-13-01T00:00:00Z",
        "1700000000",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/licences/", "/api/v1/applications/"])
def test_anything_but_iso_8601_with_a_zone_is_400_with_a_field_message(api_a, path, value):
    response = api_a.get(path, {"updated_since": value})
    assert response.status_code == 400
    message = response.json()["errors"]["updated_since"][0]
    assert "ISO 8601 with its zone" in message


def test_a_licence_exposes_its_delivery_schedule(api_a, vendor_a):
    licence = export_licence(vendor=vendor_a)
    row = api_a.get(f"/api/v1/licences/{licence.number}/").json()
    assert row["next_report_due"] == licence.next_report_due.isoformat()
    assert row["reports_overdue"] is False


def test_a_revision_suspending_licences_puts_them_in_the_feed_with_its_reason(
    api_a, licence_a, senior, second_senior
):
    from countries import services as countries_services
    from tests.factories import propose_removal

    before = timezone.now()
    revision = propose_removal(code="DE", by=senior)
    countries_services.approve_revision(revision=revision, by=second_senior)
    body = api_a.get("/api/v1/licences/", {"updated_since": _iso(before)}).json()
    assert [row["number"] for row in body["results"]] == [licence_a.number]
    row = body["results"][0]
    assert row["status"] == "suspended"
    assert row["status_reason"].startswith(revision.reference)
    assert "suspended pending review" in row["status_reason"]
    country = api_a.get("/api/v1/countries/DE/").json()
    assert country["eligible_since"] is None
    assert country["ineligible_since"] >= _iso(before)[:19]
