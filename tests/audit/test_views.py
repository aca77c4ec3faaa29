"""The auditors' pages: who may see them, and what they show."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse

from countries.services import record_past_revision
from licenses.models import VendorStatus
from registry.audit import history
from registry.audit.exports import spreadsheet_safe
from tests.factories import VendorFactory

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("audit:timeline"),
    reverse("audit:whitelist") + "?as_of=2021-11-01",
    reverse("audit:whitelist-diff") + "?from=2021-11-01&to=2021-12-01",
    reverse("audit:object-history", args=["country", "HU"]),
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["official", "senior"])
def test_other_roles_are_refused(client, request, url, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_auditors_and_superusers_may_read(client, auditor, django_user_model, url):
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    assert client.get(url).status_code == 200


def test_the_pages_are_read_only(auditor_client):
    assert auditor_client.post(reverse("audit:timeline")).status_code == 405


def test_the_timeline_shows_who_what_why_and_the_fields_changed(auditor_client, official):
    vendor = VendorFactory(name="Acme Cyber Ltd")
    vendor.status = VendorStatus.SUSPENDED
    history.save(vendor, by=official, reason="Export without a licence")
    response = auditor_client.get(reverse("audit:timeline"))
    page = response.content.decode()
    first = response.context["entries"][0]
    assert (first.username, first.reason, first.type_label) == (
        "official",
        "Export without a licence",
        "changed",
    )
    assert [(c.name, c.old, c.new) for c in first.changes] == [("status", "active", "suspended")]
    assert "<del>Active</del> → <ins>Suspended</ins>" in page
    assert vendor.registration_number in page


def test_the_timeline_filters_by_user_kind_object_and_date(auditor_client, official):
    vendor = VendorFactory()
    history.save(vendor, by=official, reason="Checked")
    url = reverse("audit:timeline")

    by_user = auditor_client.get(url, {"user": "official"}).context["page"]
    assert by_user.paginator.count == 1

    countries = auditor_client.get(url, {"kind": "country"}).context["page"].paginator.count
    assert countries == 249 + 102 + 65

    hungary = auditor_client.get(url, {"object": "HU"}).context["entries"]
    assert [e.reason.split(":")[0] for e in hungary] == ["REV-2021-001", "REV-2018-001", "seed"]

    cut_day = auditor_client.get(
        url, {"start": "2021-11-25", "end": "2021-11-25", "kind": "country"}
    )
    assert cut_day.context["page"].paginator.count == 65


def test_the_timeline_pages_in_a_stable_order(auditor_client):
    url = reverse("audit:timeline")
    first = [e.seq for e in auditor_client.get(url).context["entries"]]
    second = [e.seq for e in auditor_client.get(url, {"page": 2}).context["entries"]]
    again = [e.seq for e in auditor_client.get(url).context["entries"]]
    assert len(first) == len(second) == 50
    assert first == again
    assert not set(first) & set(second)


def test_changes_made_in_one_instant_page_newest_first_without_repeats(auditor_client, official):
    # A revision writes thousands of records with one date; the timeline breaks the tie by the
    # records' place in the chain, across pages and across kinds alike.
    vendors = VendorFactory.create_batch(60)
    for vendor in vendors:
        vendor.status = VendorStatus.SUSPENDED
    history.bulk_update(vendors, fields=["status"], by=official, reason="REV-TIE")
    url = reverse("audit:timeline")

    for kind in ("vendor", ""):
        pages = [auditor_client.get(url, {"kind": kind, "page": n}) for n in (1, 2)]
        entries = [e for page in pages for e in page.context["entries"]][:60]
        assert {e.reason for e in entries} == {"REV-TIE"}
        assert len({e.date for e in entries}) == 1
        seqs = [e.seq for e in entries]
        assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == 60
        assert {e.key for e in entries} == {v.registration_number for v in vendors}


def test_a_long_timeline_is_counted_only_so_far_and_still_pages(auditor_client, settings):
    # The count stops at LIST_COUNT_LIMIT (10,000 in production): a small limit stands for it.
    # The seeded trail holds several hundred records, fifty a page.
    settings.LIST_COUNT_LIMIT = 70
    url = reverse("audit:timeline")
    country_records = 249 + 102 + 65

    first = auditor_client.get(url, {"kind": "country"})
    html = first.content.decode()
    assert "More than 70 changes, newest first." in html
    assert "<span>Page 1</span>" in html and 'rel="next"' in html

    second = auditor_client.get(url, {"kind": "country", "page": 2})
    html = second.content.decode()
    assert "More than 100 changes, newest first." in html
    assert "<span>Page 2</span>" in html and 'rel="prev"' in html and 'rel="next"' in html
    seqs = [e.seq for e in first.context["entries"]] + [e.seq for e in second.context["entries"]]
    assert len(seqs) == 100 and seqs == sorted(seqs, reverse=True)

    # The last page is counted exactly, and says so.
    last = auditor_client.get(url, {"kind": "country", "page": 9})
    html = last.content.decode()
    assert f"{country_records} changes, newest first." in html
    assert "<span>Page 9 of 9</span>" in html and 'rel="next"' not in html
    assert len(last.context["entries"]) == country_records - 400

    # A filter that finds fewer than the limit is counted exactly.
    cut_day = auditor_client.get(
        url, {"start": "2021-11-25", "end": "2021-11-25", "kind": "country"}
    )
    assert "65 changes, newest first." in cut_day.content.decode()
    assert (
        "<span>Page 2 of 2</span>"
        in auditor_client.get(
            url, {"start": "2021-11-25", "end": "2021-11-25", "kind": "country", "page": 2}
        ).content.decode()
    )


def test_the_timeline_costs_the_same_queries_whatever_the_page_holds(
    auditor_client, django_assert_max_num_queries
):
    # Fifty entries of every kind on one page still take a fixed handful of queries.
    with django_assert_max_num_queries(20):
        response = auditor_client.get(reverse("audit:timeline"))
    assert len(response.context["entries"]) == 50


def test_invalid_filters_are_shown_not_crashed(auditor_client):
    response = auditor_client.get(reverse("audit:timeline"), {"start": "yesterday", "kind": "x"})
    assert response.status_code == 400
    assert b"error-summary" in response.content


def test_the_whitelist_as_of_a_date_in_three_formats(auditor_client):
    url = reverse("audit:whitelist")
    html = auditor_client.get(url, {"as_of": "2021-11-01"})
    assert len(html.context["result"].countries) == 102
    assert html.context["result"].revision.reference == "REV-2018-001"

    data = json.loads(auditor_client.get(url, {"as_of": "2021-12-01", "format": "json"}).content)
    assert data["count"] == 37
    assert data["revision_in_force"]["reference"] == "REV-2021-001"

    rows = list(
        csv.DictReader(
            io.StringIO(
                auditor_client.get(url, {"as_of": "2021-12-01", "format": "csv"}).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert sorted(r["code"] for r in rows) == sorted(c["code"] for c in data["countries"])
    assert {r["revision_in_force"] for r in rows} == {"REV-2021-001"}


def test_the_whitelist_accepts_a_date_and_time(auditor_client):
    url = reverse("audit:whitelist")
    before = auditor_client.get(url, {"as_of": "2021-11-24T23:59", "format": "json"})
    at = auditor_client.get(url, {"as_of": "2021-11-25T00:00", "format": "json"})
    assert (json.loads(before.content)["count"], json.loads(at.content)["count"]) == (102, 37)


@pytest.mark.parametrize("fmt", ["html", "json"])
def test_a_bad_date_is_a_clear_400(auditor_client, fmt):
    response = auditor_client.get(
        reverse("audit:whitelist"), {"as_of": "2021-13-45", "format": fmt}
    )
    assert response.status_code == 400
    assert b"YYYY-MM-DD" in response.content


def test_the_diff_names_who_when_and_why(auditor_client):
    response = auditor_client.get(
        reverse("audit:whitelist-diff"), {"from": "2021-11-01", "to": "2021-12-01"}
    )
    removed = {line.country.code: line for line in response.context["removed"]}
    assert len(removed) == 65
    assert response.context["added"] == []
    hungary = removed["HU"]
    assert hungary.username == "system"
    assert (
        hungary.reason == "REV-2021-001: The cut from 102 to 37 countries [seed: dated in the past]"
    )
    assert hungary.date == datetime.datetime(2021, 11, 25, tzinfo=datetime.UTC)


def test_the_diff_refuses_an_end_before_its_start(auditor_client):
    response = auditor_client.get(
        reverse("audit:whitelist-diff"), {"from": "2021-12-01", "to": "2021-11-01"}
    )
    assert response.status_code == 400


def test_the_object_history_lists_every_record_field_by_field(auditor_client):
    response = auditor_client.get(reverse("audit:object-history", args=["country", "MX"]))
    entries = response.context["entries"]
    assert [e.type for e in entries] == ["+", "~", "~"]
    assert [(c.name, c.old, c.new) for c in entries[2].changes] == [("eligible", True, False)]


def test_an_unknown_object_is_404(auditor_client):
    assert (
        auditor_client.get(reverse("audit:object-history", args=["country", "XX"])).status_code
        == 404
    )
    assert (
        auditor_client.get(reverse("audit:object-history", args=["spaceship", "1"])).status_code
        == 404
    )


def test_the_chart_of_the_list_size_is_drawn_by_the_server(auditor_client):
    page = auditor_client.get(reverse("audit:timeline")).content.decode()
    assert "<svg" in page and "<script" not in page
    assert "102 from 1 Jan 2018 (REV-2018-001)" in page
    assert "37 from 25 Nov 2021 (REV-2021-001)" in page


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("France", "France"),
    ],
)
def test_spreadsheet_formulas_are_neutralised(cell, safe):
    assert spreadsheet_safe(cell) == safe


def test_exports_neutralise_formulas_in_the_data(auditor_client, django_user_model):
    # Usernames may start with "+", "-" or "@": a spreadsheet would read such a cell as a formula.
    mallory = django_user_model.objects.create_user(username="+1+cmd", password="pw")
    with history.backdating():
        record_past_revision(
            reference="REV-2024-001",
            title="Only France",
            reason="Test",
            members=["FR"],
            applied_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
            by=mallory,
        )
    response = auditor_client.get(
        reverse("audit:whitelist-diff"), {"from": "2023-01-01", "to": "2025-01-01", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["action", "code", "name", "when", "who", "reason"]
    assert len(rows) == 1 + 36
    assert {row[4] for row in rows[1:]} == {"'+1+cmd"}


def test_the_timeline_shows_the_countries_a_revision_changed(auditor_client):
    response = auditor_client.get(
        reverse("audit:timeline"), {"kind": "whitelist-change", "object": "REV-2021-001"}
    )
    entries = response.context["entries"]
    assert response.context["page"].paginator.count == 65
    changes = {c.name: c.new for c in entries[0].changes}
    assert changes["revision_id"] == "REV-2021-001"
    assert changes["action"] == "remove"
    assert len(changes["country_id"]) == 2
    assert reverse("audit:object-history", args=["revision", "REV-2021-001"]) in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("whitelist", {"as_of": "9999-12-31"}),
        ("whitelist", {"as_of": "0001-01-01", "format": "csv"}),
        ("whitelist", {"as_of": "2021-11-01T25:00"}),
        ("whitelist-diff", {"from": "x"}),
        ("whitelist-diff", {}),
        ("timeline", {"end": "9999-12-31"}),
        ("timeline", {"page": "99999999999999999999999"}),
        ("timeline", {"user": "x" * 500}),
    ],
)
def test_odd_input_never_makes_a_500(auditor_client, name, query):
    response = auditor_client.get(reverse(f"audit:{name}"), query)
    assert response.status_code in (200, 400)


def test_the_timeline_exports_every_matching_change(auditor_client, official):
    vendor = VendorFactory(name="=cmd|' /C calc'!A0")
    vendor.status = VendorStatus.SUSPENDED
    history.save(vendor, by=official, reason="-2+3")
    url = reverse("audit:timeline")
    response = auditor_client.get(
        url, {"kind": "vendor", "object": vendor.registration_number, "format": "csv"}
    )
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [r["type"] for r in rows] == ["changed", "created"]
    assert rows[0]["who"] == "official"
    assert rows[0]["reason"] == "'-2+3"
    assert rows[0]["changes"] == "status: Active → Suspended"
    assert "name: =cmd|' /C calc'!A0" in rows[1]["changes"]
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())

    data = json.loads(
        b"".join(auditor_client.get(url, {"kind": "country", "format": "json"}).streaming_content)
    )
    assert len(data["changes"]) == 249 + 102 + 65
    assert data["filters"]["kind"] == "country"
    assert data["changes"][0]["changes"] == [{"field": "eligible", "old": True, "new": False}]


@pytest.mark.usefixtures("documents_folder")
def test_the_timeline_shows_parties_and_documents_under_their_application(client, auditor):
    from tests.factories import (
        create_draft,
        file_declaration,
        register_product,
        register_vendor,
        user_with_role,
    )

    official = user_with_role(role="officials", username="official-t")
    vendor = register_vendor(by=official)
    user = user_with_role(role="vendors", username="vendor-t", vendor=vendor)
    draft = create_draft(vendor=vendor, product=register_product(vendor=vendor, by=user), by=user)
    file_declaration(application=draft, by=user)
    client.force_login(auditor)
    for kind, reason in (("party", "End user named on"), ("document", "End-user declaration v1")):
        page = client.get("/audit/", {"kind": kind}).content.decode()
        assert reason in page and draft.reference in page
    page = client.get("/audit/declaration-template/DECA-2021-12/")
    assert page.status_code == 200
    assert "DECA-2021-12" in page.content.decode()
