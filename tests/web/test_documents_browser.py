"""In Chromium, JavaScript off: an official reviews an export's end-user declaration, and only
then can approve the application; the licence is issued."""

import re

import pytest

from tests.web.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious_violations(browser, page) -> list[str]:
    """axe-core's serious and critical findings on the page, as ``rule: target`` lines.

    axe-core is a script: it runs on the same URL in a session of its own with JavaScript on
    (the page under test has it off), signed in with the same cookies.
    """
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(storage_state=page.context.storage_state())
    try:
        checked = context.new_page()
        checked.goto(page.url)
        results = Axe().run(checked)
    finally:
        context.close()
    return [
        f"{violation['id']}: {node['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def test_an_official_accepts_the_declaration_and_only_then_approves_the_export(
    browser, new_page, screenshot, official, system, documents_folder
):
    from tests.factories import issue_licence, register_product, register_vendor
    from tests.factories import submit_application as submit

    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    issue_licence(vendor=vendor, product=product, by=system, official=official)
    export = submit(vendor=vendor, product=product, by=system, licence_type="export")
    page = new_page()
    sign_in(page, "official")
    page.goto(f"/applications/{export.reference}/")
    page.get_by_role("button", name="Start the review").click()

    parties = page.locator("#parties")
    assert parties.get_by_text("Direction générale de la sécurité intérieure").is_visible()
    documents = page.locator("#documents")
    row = documents.locator("tbody tr").first
    assert row.get_by_text("End-user declaration").is_visible()
    assert row.get_by_text("Received").is_visible()
    assert row.get_by_role("link", name="declaration.pdf").get_attribute("download") is not None

    # Before the declaration is accepted the application cannot be approved, only refused.
    cannot = page.locator("#cannot-approve")
    assert cannot.get_by_text("end_user_declaration").is_visible()
    assert cannot.get_by_text("accept it before approving").is_visible()
    assert page.get_by_label("Approve and issue the licence").count() == 0
    assert serious_violations(browser, page) == []
    screenshot(page, "application-documents")

    # A rejection needs a reason: the error comes back at the top of the page.
    row.get_by_label("Reject").check()
    row.get_by_role("button", name="Record the review").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    assert page.title().startswith("Error:")
    assert page.locator("#documents").get_by_text("Enter the reason for the rejection").is_visible()

    row = page.locator("#documents tbody tr").first
    row.get_by_label("Accept").check()
    row.get_by_role("button", name="Record the review").click()
    assert page.get_by_text("End-user declaration v1 is accepted.").is_visible()
    assert page.locator("#documents").get_by_text("Accepted").is_visible()
    assert page.locator("#cannot-approve").count() == 0

    page.get_by_label("Approve and issue the licence").check()
    page.get_by_label("Reason for the decision").fill("Declaration accepted; end user verified.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Approve and issue the licence").click()
    message = page.locator(".message.success").inner_text()
    assert re.search(r"licence EL-\d{4}-\d{6} is issued", message), message

    download = page.request.get(
        row.get_by_role("link", name="declaration.pdf").get_attribute("href")
    )
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.body().startswith(b"%PDF-")
