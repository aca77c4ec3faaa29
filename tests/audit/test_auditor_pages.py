"""The auditors' pages as people read them: positions and leaf hashes in the exports, words
instead of codes, a country's changes tied to their revision, a forgiving user filter with
presets, an empty state, and spreadsheets that open with the right letters and a telling name."""

import csv
import io
import json

import pytest
from django.urls import reverse

from licenses.models import VendorStatus
from registry.audit import history, tree
from tests.factories import VendorFactory, issue_licence

pytestmark = pytest.mark.django_db

TIMELINE = reverse("audit:timeline")


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def suspended_vendor(official):
    vendor = VendorFactory(name="Société Générale de Cyber")
    vendor.status = VendorStatus.SUSPENDED
    history.save(vendor, by=official, reason="Licence conditions breached")
    return vendor


def test_the_exports_carry_each_records_position_and_leaf_hash(auditor_client, suspended_vendor):
    query = {"kind": "vendor", "object": suspended_vendor.registration_number}
    rows = list(
        csv.DictReader(
            io.StringIO(
                streamed(auditor_client.get(TIMELINE, {**query, "format": "csv"})).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert len(rows) == 2
    for row in rows:
        assert row["leaf_hash"] == tree.leaf(int(row["seq"]) - 1).hex()
    data = json.loads(streamed(auditor_client.get(TIMELINE, {**query, "format": "json"})))
    assert [c["leaf_hash"] for c in data["changes"]] == [r["leaf_hash"] for r in rows]


def test_the_csv_opens_in_a_spreadsheet_with_its_accents_and_names_its_filter(
    auditor_client, suspended_vendor
):
    content = streamed(auditor_client.get(TIMELINE, {"kind": "vendor", "format": "csv"}))
    assert content.startswith("\ufeff".encode())
    assert "Société Générale de Cyber" in content.decode("utf-8-sig")
    response = auditor_client.get(
        TIMELINE, {"user": "official", "kind": "vendor", "start": "2020-01-01", "format": "csv"}
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="audit-trail_user-official_kind-vendor_2020-01-01-to-now.csv"'
    )


def test_the_user_filter_ignores_capitals(auditor_client, suspended_vendor):
    page = auditor_client.get(TIMELINE, {"user": "OFFICIAL", "kind": "vendor"}).content.decode()
    assert "Licence conditions breached" in page
    assert "No change matches" not in page


def test_the_presets_cover_the_last_days_and_exclude_older_records(
    auditor_client, suspended_vendor
):
    recent = auditor_client.get(TIMELINE, {"period": "7", "kind": "country"}).content.decode()
    # The seeded countries' records are dated 2018 and 2021: none in the last 7 days.
    assert "No change matches these filters" in recent
    everything = auditor_client.get(TIMELINE, {"period": "30", "kind": "vendor"}).content.decode()
    assert "Licence conditions breached" in everything
    both = auditor_client.get(TIMELINE, {"period": "7", "start": "2021-01-01"})
    assert both.status_code == 400
    assert "Choose a period or dates, not both." in both.content.decode()


def test_no_result_shows_an_empty_state_not_an_empty_table(auditor_client):
    page = auditor_client.get(TIMELINE, {"user": "nobody"}).content.decode()
    assert "No change matches these filters" in page
    assert 'aria-labelledby="timeline-caption"' not in page
    assert "Clear the filters" in page


def test_field_values_read_as_words_not_codes_or_reprs(
    auditor_client, vendor, vendor_user, product, official
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    url = reverse("audit:object-history", args=["application", licence.application.reference])
    page = auditor_client.get(url).content.decode()
    assert "Destination whitelisted: passed" in page or "destination whitelisted: passed" in page
    assert "<ins>Approved</ins>" in page
    assert "[{" not in page and "&#x27;rule&#x27;" not in page
    licence_page = auditor_client.get(
        reverse("audit:object-history", args=["licence", licence.number])
    ).content.decode()
    assert "Renewal barred</span>: no" in licence_page or "renewal barred</span>: no" in (
        licence_page.lower()
    )
    assert "False" not in licence_page


def test_a_countrys_history_links_each_change_to_its_revision(auditor_client):
    page = auditor_client.get(reverse("audit:object-history", args=["country", "HU"]))
    html = page.content.decode()
    assert reverse("audit:object-history", args=["revision", "REV-2021-001"]) in html
    assert reverse("audit:object-history", args=["revision", "REV-2018-001"]) in html


def test_a_reason_made_to_look_like_a_revision_links_nowhere(auditor_client, official):
    from countries.models import Country

    country = Country.objects.get(code="IS")
    country.name = "Iceland"
    history.save(country, by=official, reason="REV-2099-001: looks official")
    html = auditor_client.get(
        reverse("audit:object-history", args=["country", "IS"])
    ).content.decode()
    assert "REV-2099-001: looks official" in html
    assert reverse("audit:object-history", args=["revision", "REV-2099-001"]) not in html


def test_the_whitelist_rows_lead_to_each_countrys_history(auditor_client):
    html = auditor_client.get(reverse("audit:whitelist"), {"as_of": "2021-12-01"}).content.decode()
    assert reverse("audit:object-history", args=["country", "FR"]) in html


def test_an_auditor_goes_from_the_countries_list_to_a_countrys_history(client, auditor, official):
    history_url = reverse("audit:object-history", args=["country", "AF"])
    client.force_login(auditor)
    assert history_url in client.get("/countries/").content.decode()
    client.force_login(official)
    assert history_url not in client.get("/countries/").content.decode()
