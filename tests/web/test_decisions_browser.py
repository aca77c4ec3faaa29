"""End to end in Chromium, JavaScript off: an official refuses on a criterion, the vendor appeals
through the API, another senior official overturns the refusal, and the licence is marked issued
on appeal; its certificate's check code then checks it at /verify/. Every page passes axe-core
and reflows at 320 px."""

import io
import re

import pytest
from pypdf import PdfReader

from documents import storage
from documents.models import IssuedDocument
from licenses.models import ApplicationStatus, Licence, LicenceApplication
from tests.web.conftest import sign_in, sign_out
from tests.web.test_casework_browser import WIDTHS, axe_violations, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scripted_page(browser, live_server):
    """A session with scripting on, for axe-core and the measurements only (the pages carry no
    script, so they look the same as with it off)."""
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


def _audit(page, problems: dict, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = sideways_overflow(page)
        if overflow > 0:
            problems[f"{name} at {width}px"] = f"{overflow}px wider than the window"
    page.set_viewport_size({"width": 1280, "height": 900})
    violations = axe_violations(page)
    if violations:
        problems[f"{name} (axe)"] = violations


def _check_code(licence: Licence) -> str:
    certificate = IssuedDocument.objects.get(licence=licence, kind="certificate")
    with storage.open_stored(certificate.stored_as) as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    return re.search(r"Check code: ([A-Z0-9-]{14})", text).group(1)


def test_refuse_appeal_overturn_and_the_licence_is_issued_on_appeal(
    scripted_page, screenshot, official, senior, vendor, product, vendor_user
):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from licenses import services
    from tests.factories import submit_application

    application = submit_application(vendor=vendor, product=product, by=vendor_user)
    services.start_review(application=application, by=official)
    problems: dict = {}

    # The official refuses: a refusal without a criterion is refused, with what was typed kept.
    page = scripted_page()
    sign_in(page, "official")
    page.goto(f"/applications/{application.reference}/")
    page.get_by_label("Refuse", exact=True).check()
    page.get_by_label("Reason for the decision").fill("Reports of use against journalists.")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    assert page.get_by_label("Reason for the decision").input_value() == (
        "Reports of use against journalists."
    )
    _audit(page, problems, "decision with errors")
    page.get_by_label(re.compile(r"\(human_rights_risk\)")).check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_text("the refusal letter is issued").is_visible()
    assert page.locator("#criteria").get_by_text("human_rights_risk").is_visible()
    _audit(page, problems, "refused application")
    sign_out(page)

    # The vendor appeals through the API, within the period its letter gives.
    _, key = AuthToken.objects.create(user=vendor_user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    letter = api.get(f"/api/v1/applications/{application.reference}/letter/")
    assert letter.status_code == 200
    response = api.post(
        f"/api/v1/applications/{application.reference}/appeal/",
        {"grounds": "The end user is the national police's cyber unit, under warrant."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert LicenceApplication.objects.get(pk=application.pk).status == "under_appeal"

    # A senior official who did not refuse overturns it.
    sign_in(page, "senior")
    page.goto(f"/applications/{application.reference}/")
    assert page.get_by_text("national police's cyber unit").is_visible()
    page.get_by_label("Overturn the refusal and issue the licence").check()
    page.get_by_label(re.compile("No re-export")).check()
    page.get_by_label("Reason for the decision on the appeal").fill("The warrant is on file.")
    _audit(page, problems, "appeal")
    screenshot(page, "appeal-decision")
    page.get_by_role("button", name="Decide the appeal").click()
    assert page.get_by_text("overturned on appeal").is_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    licence = Licence.objects.get(application=application)
    assert licence.issued_on_appeal

    page.goto(f"/licences/{licence.number}/")
    assert page.locator("#issued-on-appeal").is_visible()
    assert page.locator("#conditions").get_by_text("No re-export").is_visible()
    _audit(page, problems, "licence issued on appeal")
    screenshot(page, "licence-issued-on-appeal")
    # Revoking is checked first, and restates what it does.
    page.get_by_role("radio", name="Revoke").check()
    page.get_by_label("Reason", exact=True).fill("Test of the check page.")
    page.get_by_role("button", name="Change the licence").click()
    assert page.get_by_role("heading", name=f"Revoke licence {licence.number}?").is_visible()
    _audit(page, problems, "check before revoking")
    screenshot(page, "check-before-revoking")
    sign_out(page)

    # Anyone checks the licence with the code printed on its certificate.
    page.goto("/verify/")
    page.get_by_label("Licence number").fill(licence.number)
    page.get_by_label("Check code").fill(_check_code(licence))
    page.get_by_role("button", name="Check the licence").click()
    assert page.locator("#verify-result").get_by_text("Valid", exact=True).is_visible()
    _audit(page, problems, "verify")
    screenshot(page, "verify")
    assert not problems, "\n".join(f"{where}: {what}" for where, what in problems.items())
