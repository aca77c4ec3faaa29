"""The auditors' integrity and statistics pages in Chromium: verify again from the integrity page
(the task runs eagerly, as without a broker), read the year's figures, each page reflowing at
320 px with no axe-core violation. Takes the screenshots docs/audit-trail.md shows."""

import pytest
from django.utils import timezone

from tests.web.conftest import sign_in
from tests.web.test_casework_browser import axe_violations, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eager_tasks():
    from celery import current_app

    conf = current_app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


@pytest.fixture
def inspecting_page(browser, live_server):
    contexts = []

    def open_page():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_an_auditor_verifies_again_and_reads_the_statistics(
    new_page,
    inspecting_page,
    screenshot,
    auditor,
    official,
    vendor,
    vendor_user,
    product,
    eager_tasks,
):
    from registry.audit import checkpoints
    from tests.factories import issue_licence, submit_application

    for _ in range(3):
        issue_licence(vendor=vendor, product=product, by=vendor_user, official=official)
    submit_application(vendor=vendor, product=product, by=vendor_user, end_user_kind="private")
    checkpoints.sign()

    page = new_page()
    sign_in(page, "auditor")
    page.goto("/audit/integrity/")
    assert page.get_by_text("The trail has not been verified yet.").is_visible()
    page.get_by_role("button", name="Verify again in the background").click()
    page.get_by_text("Verification requested").wait_for()
    assert page.locator("dd").filter(has_text="Verified").first.is_visible()
    screenshot(page, "audit-integrity")

    page.get_by_role("link", name="Statistics").first.click()
    page.get_by_role("heading", name=f"Transparency statistics of {timezone.now().year}").wait_for()
    assert page.get_by_text("SHA-256 of the figures (JSON)").is_visible()
    screenshot(page, "audit-statistics")

    inspecting = inspecting_page()
    sign_in(inspecting, "auditor")
    problems = {}
    for path in ("/audit/integrity/", "/audit/statistics/", "/audit/statistics/?year=1999"):
        for width in (320, 1280):
            inspecting.set_viewport_size({"width": width, "height": 900})
            assert inspecting.goto(path).status < 400
            if sideways_overflow(inspecting) > 0:
                problems[f"{path} at {width}px"] = "wider than the window"
        violations = axe_violations(inspecting)
        if violations:
            problems[f"{path} (axe)"] = violations
    assert not problems, problems
