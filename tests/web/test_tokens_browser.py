"""End to end in Chromium: a vendor user's tokens page, and what officials see of delivery
reports; every page at 320 px with no sideways scrolling and no axe-core violation."""

import datetime
import json
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from countries.models import Country
from licenses import services
from tests.factories import export_licence
from tests.web.conftest import sign_in
from tests.web.test_casework_browser import WIDTHS, axe_violations, sideways_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_status(base_url: str, key: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1/products/", headers={"Authorization": f"Token {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_vendor_user_creates_a_token_uses_it_and_revokes_it(
    new_page, live_server, screenshot, vendor_user
):
    page = new_page()
    sign_in(page, "vendor-acme")
    page.get_by_role("link", name="Your API tokens").click()
    page.get_by_role("heading", name="API tokens").wait_for()
    page.get_by_role("link", name="Create a token").click()

    # An expiry in the past is refused, with the error summary.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Name").fill("Order system, production")
    page.get_by_label("Expiry date").fill(yesterday.isoformat())
    page.get_by_role("button", name="Create the token").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert "The expiry date must be today or later." in page.content()
    screenshot(page, "token-new-error")

    in_ninety = timezone.localdate() + datetime.timedelta(days=90)
    page.get_by_label("Expiry date").fill(in_ninety.isoformat())
    page.get_by_role("button", name="Create the token").click()
    page.get_by_role("heading", name="Your new token: Order system, production").wait_for()
    key = page.get_by_label("Token", exact=True).input_value()
    screenshot(page, "tokens-new-key")
    assert api_status(live_server.url, key) == 200

    page.reload()  # shown once
    assert page.get_by_label("Token", exact=True).count() == 0
    assert "Never" not in page.content()  # its use is on the list
    page.get_by_role("link", name="Revoke Order system, production").click()
    page.get_by_label("Why are you revoking it?").fill("Replaced by a key per server")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check your answers before revoking the token").wait_for()
    screenshot(page, "token-revoke-check")
    page.get_by_role("button", name="Revoke the token").click()
    page.get_by_text("it no longer works").wait_for()
    screenshot(page, "tokens")

    assert api_status(live_server.url, key) == 401


def test_officials_see_overdue_delivery_reports(
    new_page, screenshot, official, vendor, vendor_user
):
    long_ago = timezone.localdate() - datetime.timedelta(days=45)
    overdue = export_licence(vendor=vendor, issued_on=long_ago)
    reported = export_licence(vendor=vendor, issued_on=long_ago)
    services.file_delivery_report(
        licence=reported,
        by=vendor_user,
        delivered_on=long_ago + datetime.timedelta(days=3),
        systems=2,
        installation_country=Country.objects.get(code="FR"),
        operating_unit="Sous-direction de la lutte antiterroriste",
        remote_maintenance=True,
    )
    page = new_page()
    sign_in(page, "official")
    panel = page.get_by_role("region", name="Export licences whose delivery report is past due")
    assert overdue.number in panel.inner_text()
    assert reported.number not in panel.inner_text()
    screenshot(page, "dashboard-reports-overdue")
    page.goto("/licences/")
    row = page.get_by_role("row").filter(has_text=overdue.number)
    assert "report overdue" in row.inner_text().lower()
    screenshot(page, "licences-report-overdue")
    page.goto(f"/licences/{reported.number}/")
    page.get_by_role("heading", name="Delivery reports").wait_for()
    assert "Sous-direction de la lutte antiterroriste" in page.content()
    screenshot(page, "licence-delivery-reports")


def test_the_new_pages_reflow_at_320_px_and_pass_axe(
    browser, live_server, official, vendor, vendor_user
):
    long_ago = timezone.localdate() - datetime.timedelta(days=45)
    licence = export_licence(vendor=vendor, issued_on=long_ago)
    token, _ = services_create(vendor_user)
    pages = {
        "vendor-acme": [
            "/",
            "/account/tokens/",
            "/account/tokens/new/",
            f"/account/tokens/{token.key}/revoke/",
        ],
        "official": ["/", "/licences/", f"/licences/{licence.number}/"],
    }
    problems = {}
    for user, paths in pages.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, user)
        for path in paths:
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(path)
                assert response.status < 400, (path, response.status)
                overflow = sideways_overflow(page)
                if overflow > 0:
                    problems[f"{path} at {width}px"] = f"{overflow}px wider than the window"
            violations = axe_violations(page)
            if violations:
                problems[f"{path} (axe)"] = violations
        context.close()
    assert not problems, "\n".join(f"{where}: {what}" for where, what in problems.items())


def services_create(user):
    from registry.accounts import services as accounts

    return accounts.create_token(
        user=user,
        by=user,
        name="Order system",
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
