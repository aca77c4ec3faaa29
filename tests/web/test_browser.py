"""End to end in Chromium against a live server, with JavaScript off: what officials, senior
officials and auditors do in the browser. Each test takes the screenshots the README shows."""

import re

import pytest

from tests.web.conftest import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_is_refused_the_officials_forms(new_page, screenshot, auditor, official):
    page = new_page()
    page.goto("/accounts/login/")
    screenshot(page, "login")
    page.get_by_label("Username").fill("auditor")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    assert page.get_by_label("Username").input_value() == "auditor"

    sign_in(page, "auditor")
    assert page.get_by_role("link", name="The audit trail").is_visible()
    assert (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").count() == 1
    )
    screenshot(page, "dashboard-auditor")
    # The keyboard reaches the skip link first; it shows itself and takes the focus outline.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.bounding_box()["x"] >= 0
    assert skip.evaluate("element => getComputedStyle(element).outlineStyle") != "none" or (
        skip.evaluate("element => getComputedStyle(element).boxShadow") != "none"
    )

    for path in ("/vendors/new/", "/countries/revisions/new/"):
        response = page.goto(path)
        assert response.status == 403
        assert page.get_by_role("heading", name="You are not allowed to use this page").is_visible()
    screenshot(page, "forbidden")

    page.goto("/countries/?eligible=yes&q=land")
    rows = page.locator("table.data tbody tr")
    names = rows.locator("td:first-child").all_inner_texts()
    assert names and all("land" in name.lower() for name in names)
    assert "Poland" not in names  # removed in 2021
    assert "Finland" in names
    page.goto("/countries/")
    screenshot(page, "countries")
    sign_out(page)
    assert re.search(r"/accounts/login/", page.url)


def test_an_official_reviews_and_approves_an_application_and_the_licence_appears(
    new_page, screenshot, official, system
):
    from tests.factories import register_product, register_vendor, submit_application

    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    application = submit_application(vendor=vendor, product=product, by=system, destination="DE")
    submit_application(
        vendor=vendor, product=product, by=system, destination="MX"
    )  # refused at once by screening

    page = new_page()
    sign_in(page, "official")
    queue = page.get_by_role("region", name=re.compile("Review queue"))
    assert queue.get_by_role("link", name=application.reference).is_visible()
    screenshot(page, "dashboard-official")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    screenshot(page, "application-queue")
    page.get_by_role("link", name=application.reference).click()
    page.get_by_role("button", name="Start the review").click()
    assert page.get_by_text("is now under review").is_visible()

    # A decision without a reason fails, with the error summary linking to the field.
    page.get_by_label("Approve and issue the licence").check()
    page.get_by_role("button", name="Continue").click()
    summary = page.get_by_role("alert")
    assert summary.get_by_text("There is a problem").is_visible()
    assert page.title().startswith("Error:")
    screenshot(page, "application-decision-error")
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#id_reason")
    assert page.get_by_label("Approve and issue the licence").is_checked()

    page.get_by_label("Reason for the decision").fill("Government end user; marketing only.")
    screenshot(page, "application-detail")
    page.get_by_role("button", name="Continue").click()
    # Check your answers: nothing is issued until confirmed.
    assert page.get_by_text("Approving issues the licence and its signed certificate").is_visible()
    page.get_by_role("button", name="Approve and issue the licence").click()
    message = page.locator(".message.success").inner_text()
    number = re.search(r"licence (ML-\d{4}-\d{6}) is issued", message).group(1)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Licences").click()
    row = page.locator("table.data tbody tr", has_text=number)
    row.wait_for()
    assert row.get_by_text("Active").is_visible()
    assert row.get_by_text(vendor.name).is_visible()
    screenshot(page, "licences")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").click()
    page.get_by_role("link", name=vendor.name).click()
    products = page.get_by_role("region", name=re.compile("Products"))
    assert products.get_by_text(product.reference).is_visible()
    licences = page.get_by_role("region", name=re.compile("Licences"))
    assert licences.get_by_role("link", name=number).is_visible()
    screenshot(page, "vendor")


def test_a_country_removed_by_a_senior_official_suspends_the_licence(
    new_page, screenshot, official, senior, system
):
    from tests.factories import issue_licence, register_product, register_vendor

    vendor = register_vendor(by=official)
    product = register_product(vendor=vendor, by=official)
    licence = issue_licence(
        vendor=vendor, product=product, by=system, official=official, destination="AT"
    )

    page = new_page()
    sign_in(page, "official")
    page.goto("/countries/revisions/new/")
    # Submitting with nothing filled in shows the problems at the top.
    page.get_by_role("button", name="Propose the revision").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    assert page.get_by_role("alert").get_by_role("link", name="Title: Enter a title.").is_visible()
    screenshot(page, "revision-errors")
    page.goto("/countries/revisions/new/")
    page.get_by_label("Title").fill("Remove Austria")
    page.get_by_label("Legal basis and reason").fill("Misuse of interception tools reported.")
    page.get_by_label("Austria (AT)").check()
    screenshot(page, "revision-new")
    page.get_by_role("button", name="Propose the revision").click()

    impact = page.locator("#impact")
    assert impact.get_by_text("active licence suspended").is_visible()
    assert impact.get_by_role("link", name=licence.number).is_visible()
    assert impact.get_by_role("link", name=vendor.name).is_visible()
    assert page.get_by_role("button", name="Record the decision").count() == 0
    reference = page.locator("h1 .ref").inner_text()
    screenshot(page, "revision-impact")
    sign_out(page)

    sign_in(page, "senior")
    waiting = page.get_by_role("region", name="Revisions waiting for your approval")
    waiting.get_by_role("link", name=reference).click()
    page.get_by_label("Approve and apply it now").check()
    page.get_by_label("Note").fill("Agreed: the reports are credible.")
    page.get_by_role("button", name="Record the decision").click()
    # Check your answers, restating the impact, before the revision is applied.
    assert page.get_by_role("heading", name="Its impact").is_visible()
    assert page.get_by_text(f"Licence {licence.number}").is_visible()
    page.get_by_role("button", name="Approve and apply the revision").click()
    assert page.get_by_text(f"{reference} is approved and applied").is_visible()
    screenshot(page, "revision-applied")

    page.get_by_role("link", name=licence.number).first.click()
    assert page.locator(".page-head").get_by_text("Suspended").is_visible()
    assert page.get_by_text(f"{reference}: Remove Austria").first.is_visible()
    screenshot(page, "licence-suspended")
