"""The second factor in Chromium with JavaScript off, on a 320 px wide screen: enrolment from the
typed-out key, the backup codes, and signing in again with the app's code."""

import base64

import pytest
from django_otp.oath import totp

from tests.web.conftest import sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_official_enrols_from_the_typed_key_and_signs_in_with_the_app(
    new_page, official, settings
):
    settings.OTP_REQUIRED = True
    page = new_page()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("official")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up your authenticator app").wait_for()
    assert page.locator("figure.qr-code svg").is_visible()
    assert fits_the_screen(page)

    # What a person types into the app when the camera cannot scan the code.
    secret = page.locator(".secret code").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your app").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    assert page.get_by_role("alert").get_by_text("There is a problem").is_visible()
    page.wait_for_timeout(1100)  # after a wrong code, the next is checked a second later

    page.get_by_label("Code from your app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="Save your backup codes").wait_for()
    assert page.locator(".backup-codes li").count() == 10
    assert fits_the_screen(page)
    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.get_by_role("heading", name="Welcome").wait_for()

    sign_out(page)
    page.get_by_label("Username").fill("official")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    assert fits_the_screen(page)
    page.get_by_label("Code").fill(f"{totp(key, t0=-30):06d}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Welcome").wait_for()
