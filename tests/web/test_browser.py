"""End to end in Chromium against a live server, with JavaScript off: what officials, senior
officials and auditors do in the browser. Each test saves screenshots for the README."""

import re

import pytest

from tests.web.conftest import screenshot, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_is_refused_the_officials_forms(new_page, auditor, official):
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
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Vendors").count() == 0
    )
    screenshot(page, "dashboard-auditor")

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
