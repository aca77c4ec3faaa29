"""The officials' screening pages: who may use each, the queue's order, decisions with an error
summary on bad input, the concern list, the release of a quarantined snapshot, the dashboard's
warning and the offer to suspend a live licence."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from licenses import services as licenses_services
from screening import selectors, services
from screening.models import MatchStatus, PartyMatch, SnapshotStatus, WatchlistSnapshot
from tests.factories import issue_licence, submit_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def matches(vendor, product, vendor_user):
    for name in ("Nightjar Signal Systems", "Vostok Signal", "Zephyrine Maritime Holdings"):
        submit_application(vendor=vendor, product=product, by=vendor_user, end_user_name=name)
    return list(PartyMatch.objects.all())


def test_the_queue_lists_open_matches_newest_and_highest_score_first(client, official, matches):
    client.force_login(official)
    page = client.get(reverse("screening:match-list"))
    assert page.status_code == 200
    shown = list(page.context["page"].object_list)
    assert shown == sorted(shown, key=lambda m: (m.found_at, m.score, m.pk), reverse=True)
    assert len(shown) == 3
    assert b"Match " in page.content


def test_a_decision_without_a_reason_shows_the_error_summary(client, official, matches):
    client.force_login(official)
    match = matches[0]
    url = reverse("screening:match-decide", args=[match.pk])
    page = client.post(url, {"decision": "confirmed", "reason": " "})
    assert page.status_code == 200
    assert b"There is a problem" in page.content
    assert b"Enter the reason" in page.content
    page = client.post(url, {"decision": "maybe", "reason": "x"})
    assert b"There is a problem" in page.content
    match.refresh_from_db()
    assert match.status == MatchStatus.OPEN
    done = client.post(url, {"decision": "false_positive", "reason": "A different firm"})
    assert done.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.decided_by) == (MatchStatus.FALSE_POSITIVE, official)
    again = client.post(url, {"decision": "confirmed", "reason": "Changed"})
    assert b"already decided" in again.content


def test_an_auditor_reads_matches_but_decides_none(client, auditor, matches):
    client.force_login(auditor)
    assert client.get(reverse("screening:match-detail", args=[matches[0].pk])).status_code == 200
    url = reverse("screening:match-decide", args=[matches[0].pk])
    assert client.post(url, {"decision": "confirmed", "reason": "x"}).status_code == 403


def test_only_a_senior_official_keeps_the_concern_list(client, official, senior):
    client.force_login(official)
    assert client.get(reverse("screening:concern-list")).status_code == 200
    body = {"name": "Telmuran Research Centre", "countries": "IR", "reason": "Procurement"}
    assert client.post(reverse("screening:concern-add"), body).status_code == 403
    client.force_login(senior)
    bad = client.post(reverse("screening:concern-add"), {**body, "countries": "Iran"})
    assert b"There is a problem" in bad.content and b"alpha-2" in bad.content
    assert client.post(reverse("screening:concern-add"), {**body, "reason": ""}).status_code == 200
    added = client.post(reverse("screening:concern-add"), body)
    assert added.status_code == 302
    entry = selectors.concern_list().get()
    retire = reverse("screening:concern-retire", args=[entry.pk])
    assert b"There is a problem" in client.post(retire, {"reason": ""}).content
    assert client.post(retire, {"reason": "Cleared"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "retired"


def test_an_official_releases_a_quarantined_snapshot_from_the_page(client, official, list_file):
    call_command("ingest_watchlist", "--source", "csl", list_file(100), stdout=io.StringIO())
    snapshot = WatchlistSnapshot.objects.get(status=SnapshotStatus.QUARANTINED)
    client.force_login(official)
    page = client.get(reverse("screening:snapshot-list"))
    assert b"Release snapshot" in page.content
    url = reverse("screening:snapshot-release", args=[snapshot.pk])
    assert b"There is a problem" in client.post(url, {"reason": ""}).content
    assert client.post(url, {"reason": "The list really shrank"}).status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.RELEASED


def test_the_dashboard_says_when_the_screening_list_is_unavailable(client, official, settings):
    client.force_login(official)
    assert b"Screening list unavailable" not in client.get("/").content
    settings.WATCHLIST_MAX_AGE_HOURS = 0.0001
    page = client.get("/")
    assert b"Screening list unavailable" in page.content


def test_a_confirmed_match_on_a_live_licence_offers_its_suspension(
    client, official, vendor, product, vendor_user
):
    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    services.add_concern(
        by=official,
        name="Direction générale de la sécurité intérieure",
        countries=["FR"],
        reason="Test of the suspension offer",
    )
    match = PartyMatch.objects.get(party__application=licence.application)
    services.decide_match(match=match, by=official, decision="confirmed", reason="Same body")
    client.force_login(official)
    page = client.get(reverse("screening:match-detail", args=[match.pk]))
    assert f"Suspend licence {licence.number}".encode() in page.content
    licence_page = reverse("licenses:licence-detail", args=[licence.number])
    offer = client.get(licence_page, {"match": match.pk})
    form = offer.context["action_form"]
    assert form.initial["action"] == "suspend"
    assert f"Confirmed restricted-party match {match.pk}" in form.initial["reason"]
    client.post(
        reverse("licenses:licence-action", args=[licence.number]),
        {"action": "suspend", "reason": form.initial["reason"]},
    )
    licence.refresh_from_db()
    assert licence.status == "suspended"


def test_the_application_page_lists_its_matches_and_screens_again(
    client, official, vendor, product, vendor_user, matches
):
    application = matches[0].party.application
    client.force_login(official)
    page = client.get(reverse("licenses:application-detail", args=[application.reference]))
    assert b"Restricted-party matches" in page.content
    assert matches[0].entry_name.encode() in page.content
    licenses_services.start_review(application=application, by=official)
    again = client.post(reverse("licenses:application-rescreen", args=[application.reference]))
    assert again.status_code == 302


@pytest.mark.parametrize(
    "path", ["/screening/matches/0/", "/screening/concern/0/", "/screening/matches/99999/decide/"]
)
def test_an_unknown_match_or_entry_is_not_found(client, official, path):
    client.force_login(official)
    assert client.get(path).status_code in (404, 405)
    assert client.post(path, {"reason": "x"}).status_code in (403, 404, 405)
