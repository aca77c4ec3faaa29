"""Restricted-party screening in Chromium: on demo-like data an official resolves one match as
a false positive and confirms another, and approval is blocked exactly while a match is open or
confirmed; every screening page reflows at 320 px and passes axe-core."""

import pytest

from licenses import services
from licenses.models import LicenceApplication
from screening.models import ConcernEntry, MatchStatus, PartyMatch
from tests.factories import create_draft
from tests.web import test_casework_browser
from tests.web.conftest import sign_in
from tests.web.test_casework_browser import WIDTHS, axe_violations, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A browser session with scripting on, for axe-core and the measurements.
inspecting_page = test_casework_browser.inspecting_page


def _with_parties(vendor, product, vendor_user, parties, **fields):
    """A marketing application with these (role, name, country) parties, submitted."""
    from countries.models import Country

    end_user, *others = parties
    draft = create_draft(
        vendor=vendor,
        product=product,
        by=vendor_user,
        destination=end_user[2],
        end_user_name=end_user[1],
        end_user_kind="law_enforcement",
        licence_type="marketing",
        **fields,
    )
    for role, name, code in others:
        services.add_party(
            application=draft,
            by=vendor_user,
            role=role,
            name=name,
            country=Country.objects.get(code=code),
        )
    return services.submit_draft(application=draft, by=vendor_user)


def _demo_like(vendor, product, vendor_user, official):
    two = _with_parties(
        vendor,
        product,
        vendor_user,
        [
            ("end_user", "Nightjar Signal Systems", "GB"),
            ("consignee", "ООО Восток-Сигнал", "CY"),
        ],
    )
    one = _with_parties(
        vendor, product, vendor_user, [("end_user", "Zephyrine Maritime Holdings", "GB")]
    )
    for application in (two, one):
        services.start_review(application=application, by=official)
    return two, one


def _can_approve(page, reference) -> bool:
    page.goto(f"/applications/{reference}/")
    return not page.locator("#cannot-approve").count()


def test_an_official_resolves_matches_and_approval_waits_for_them(
    new_page, screenshot, official, vendor, product, vendor_user
):
    two, one = _demo_like(vendor, product, vendor_user, official)
    assert PartyMatch.objects.filter(status=MatchStatus.OPEN).count() == 3
    page = new_page()
    sign_in(page, "official")
    assert page.get_by_text("3 restricted-party matches").is_visible()
    assert not _can_approve(page, two.reference)
    assert page.locator("#cannot-approve").get_by_text("2 possible restricted-party").is_visible()

    page.goto("/screening/")
    screenshot(page, "screening-queue")
    nightjar = PartyMatch.objects.get(party__name="Nightjar Signal Systems")
    page.goto(f"/screening/matches/{nightjar.pk}/")
    page.get_by_label("False positive: not the listed party").check()
    page.get_by_role("button", name="Record the decision").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    page.get_by_label("False positive: not the listed party").check()
    page.get_by_label("Reason").fill("A Leeds engineering firm; registry number checked.")
    page.get_by_role("button", name="Record the decision").click()
    assert page.get_by_text(f"Match {nightjar.pk} is false positive").is_visible()
    assert not _can_approve(page, two.reference)  # the other match is still open

    vostok = PartyMatch.objects.get(party__name="ООО Восток-Сигнал")
    page.goto(f"/screening/matches/{vostok.pk}/")
    screenshot(page, "screening-match")
    page.get_by_label("Confirmed: the party is the listed one").check()
    page.get_by_label("Reason").fill("Same Limassol address as the listed institute's agent.")
    page.get_by_role("button", name="Record the decision").click()
    assert page.get_by_text(f"Match {vostok.pk} is confirmed").is_visible()
    assert not _can_approve(page, two.reference)  # confirmed: blocked for good
    assert page.locator("#cannot-approve").get_by_text("a confirmed restricted-party").is_visible()

    zephyrine = PartyMatch.objects.get(party__application=one)
    assert not _can_approve(page, one.reference)
    page.goto(f"/screening/matches/{zephyrine.pk}/")
    page.get_by_label("False positive: not the listed party").check()
    page.get_by_label("Reason").fill("A Greenock ferry operator, not the Panamanian holding.")
    page.get_by_role("button", name="Record the decision").click()
    assert _can_approve(page, one.reference)
    page.get_by_label("Approve and issue the licence").check()
    page.get_by_label("Reason for the decision").fill("Parties cleared; end use lawful.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Approve and issue the licence").click()
    assert LicenceApplication.objects.get(pk=one.pk).status == "approved"
    assert LicenceApplication.objects.get(pk=two.pk).status == "under_review"


def test_the_screening_pages_reflow_at_320_px_and_pass_axe(
    inspecting_page, screenshot, official, senior, vendor, product, vendor_user, list_file_path
):
    from io import StringIO

    from django.core.management import call_command

    from screening import services as screening_services

    two, _ = _demo_like(vendor, product, vendor_user, official)
    screening_services.add_concern(
        by=senior,
        name="Telmuran Research Centre",
        alt_names=["مركز تلموران للأبحاث"],
        countries=["IR"],
        reason="Reported procurement for a sanctioned programme",
    )
    call_command("ingest_watchlist", "--source", "csl", list_file_path, stdout=StringIO())
    match = PartyMatch.objects.order_by("pk").first()
    concern = ConcernEntry.objects.get()
    paths = [
        ("screening-queue", "/screening/"),
        ("screening-queue-all", "/screening/?status="),
        ("screening-match", f"/screening/matches/{match.pk}/"),
        ("screening-concern", "/screening/concern/"),
        ("screening-concern-entry", f"/screening/concern/{concern.pk}/"),
        ("screening-snapshots", "/screening/snapshots/"),
    ]
    problems = {}
    case = inspecting_page()
    sign_in(case, "official")
    senior_page = inspecting_page()
    sign_in(senior_page, "senior")
    for name, path in [*paths, ("screening-case", f"/applications/{two.reference}/")]:
        page = case if name == "screening-case" else senior_page
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(path)
            assert response.status < 400, (path, response.status)
            overflow = sideways_overflow(page)
            if overflow > 0:
                problems[f"{path} at {width}px"] = f"{overflow}px wider than the window"
            if width in (320, 1280) and name != "screening-case":
                screenshot(page, f"{name}-{width}")
        violations = axe_violations(page)
        if violations:
            problems[f"{path} (axe)"] = violations
    assert not problems, "\n".join(f"{where}: {what}" for where, what in problems.items())


@pytest.fixture
def list_file_path(tmp_path):
    """A list 40% smaller than the seeded sample: quarantined, so the snapshots page offers its
    release."""
    from screening import samples

    path = tmp_path / "smaller.json"
    samples.write(str(path), 180, seed=2)
    return str(path)
