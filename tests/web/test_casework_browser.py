"""End to end in Chromium, JavaScript off: an official's case-work, and every page at 320 px
with no sideways scrolling of the whole page and no axe-core violation."""

import datetime
import re

import pytest
from django.utils import timezone

from licenses import casework
from licenses.models import ApplicationStatus, LicenceApplication
from registry import working_days
from tests.web.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 390, 1280)


@pytest.fixture
def inspecting_page(browser, live_server):
    """``inspecting_page()``: a browser session with scripting on, for axe-core and the page's
    measurements only: Playwright cannot run a script in a page that has scripting turned off.
    The pages themselves carry no script, so they look the same as with it off."""
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def axe_violations(page) -> list[str]:
    """Each axe-core violation on the page, as ``rule: target``; none is allowed."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']][:3]}"
        for violation in results.response["violations"]
    ]


def sideways_overflow(page) -> int:
    """How many pixels the whole page is wider than the window: 0 when nothing scrolls."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


class _LaterTimezone:
    """Django's timezone functions, with today ``days`` ahead (dates given keep theirs): the
    vendor answers a week on."""

    def __init__(self, days):
        self.days = days

    def __getattr__(self, name):
        return getattr(timezone, name)

    def localdate(self, value=None):
        if value is not None:
            return timezone.localdate(value)
        return timezone.localdate() + datetime.timedelta(days=self.days)


def test_an_official_takes_asks_notes_and_decides_with_the_clock_stopped(
    new_page, screenshot, official, vendor, product, vendor_user, monkeypatch
):
    from rest_framework.test import APIClient

    from tests.factories import submit_application

    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    target = application.target_date
    page = new_page()
    sign_in(page, "official")
    page.goto(f"/applications/{application.reference}/")
    page.get_by_role("button", name="Take this case").click()
    assert page.get_by_text(f"{application.reference} is now yours").is_visible()
    page.get_by_role("button", name="Start the review").click()

    page.get_by_text("Ask the vendor for information").click()
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    page.get_by_label("Question").fill("Which unit operates the system, under which warrant?")
    page.get_by_label("Due in (working days)").fill("10")
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_text("The vendor is asked").is_visible()
    assert page.locator(".page-head").get_by_text("Awaiting the vendor").is_visible()
    screenshot(page, "case-awaiting-vendor")

    # The vendor answers through the API a week later (calendar days).
    monkeypatch.setattr(casework, "timezone", _LaterTimezone(7))
    request = application.information_requests.get()
    from knox.models import AuthToken

    _, key = AuthToken.objects.create(user=vendor_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answer = api.post(
        f"/api/v1/applications/{application.reference}/requests/{request.uuid}/response/",
        {"response": "The cyber unit of the national police, under judicial warrant."},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    monkeypatch.undo()

    calendar = working_days.calendar()
    today = timezone.localdate()
    waited = working_days.count(today, today + datetime.timedelta(days=7), calendar=calendar)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert working_days.count(target, application.target_date, calendar=calendar) == waited
    assert waited >= 3

    page.reload()
    assert page.get_by_text("The cyber unit of the national police").is_visible()
    page.get_by_label("Note").fill("The unit is the one named in the declaration.")
    page.get_by_role("button", name="Add the note").click()
    assert page.get_by_text("The note is added (internal)").is_visible()
    page.get_by_label("Approve and issue the licence").check()
    page.get_by_label("Reason for the decision").fill("Government end user; answer satisfactory.")
    screenshot(page, "case-work")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name=f"Approve {application.reference}?").is_visible()
    page.get_by_role("button", name="Approve and issue the licence").click()
    assert re.search(
        r"licence ML-\d{4}-\d{6} is issued", page.locator(".message.success").inner_text()
    )
    assert LicenceApplication.objects.get(pk=application.pk).status == "approved"


def _demo_like(official, senior, vendor, product, vendor_user):
    from licenses import services
    from tests.factories import issue_licence, submit_application

    licence = issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    waiting = submit_application(vendor=vendor, product=product, by=vendor_user, destination="DE")
    casework.take_case(application=waiting, by=official)
    services.start_review(application=waiting, by=official)
    casework.add_note(application=waiting, by=official, text="Internal note.")
    casework.add_note(application=waiting, by=official, text="Shared note.", shared=True)
    casework.raise_request(
        application=waiting, by=official, question="Who?", due_on=casework.due_in(5)
    )
    submit_application(vendor=vendor, product=product, by=vendor_user, destination="MX")
    return licence, waiting


def test_every_page_reflows_at_320_px_and_passes_axe(
    inspecting_page, screenshot, official, senior, auditor, vendor, product, vendor_user
):
    from tests.factories import propose_removal

    licence, waiting = _demo_like(official, senior, vendor, product, vendor_user)
    revision = propose_removal(code="AT", by=official)
    pages = {
        "senior": [
            ("dashboard", "/"),
            ("queue", "/applications/"),
            ("queue-filtered", "/applications/?status=all&sort=-submitted&destination=Zzz"),
            ("case", f"/applications/{waiting.reference}/"),
            ("vendors", "/vendors/"),
            ("vendor", f"/vendors/{vendor.registration_number}/"),
            ("vendor-new", "/vendors/new/"),
            ("vendor-edit", f"/vendors/{vendor.registration_number}/edit/"),
            ("licences", "/licences/"),
            ("licence", f"/licences/{licence.number}/"),
            ("countries", "/countries/"),
            ("revisions", "/countries/revisions/"),
            ("revision", f"/countries/revisions/{revision.reference}/"),
            ("revision-new", "/countries/revisions/new/"),
            ("account", "/accounts/"),
        ],
        "auditor": [
            ("dashboard-auditor", "/"),
            ("audit-timeline", "/audit/"),
            ("audit-whitelist", "/audit/whitelist/"),
            ("audit-whitelist-diff", "/audit/whitelist/diff/?from=2021-01-01&to=2022-01-01"),
            ("audit-application", f"/audit/application/{waiting.reference}/"),
        ],
    }
    problems = {}
    for user, paths in pages.items():
        page = inspecting_page()
        sign_in(page, user)
        for name, path in paths:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(path)
                assert response.status < 400, (path, response.status)
                overflow = sideways_overflow(page)
                if overflow > 0:
                    problems[f"{path} at {width}px"] = f"{overflow}px wider than the window"
                if name in SCREENSHOTS:
                    screenshot(page, f"{name}-{width}")
            violations = axe_violations(page)
            if violations:
                problems[f"{path} (axe)"] = violations
    assert not problems, "\n".join(f"{where}: {what}" for where, what in problems.items())


SCREENSHOTS = {"dashboard", "queue", "case"}
