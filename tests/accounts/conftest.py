"""Helpers of the accounts tests: signing in through the page, and codes computed from a device's
own key, as the person's authenticator app would."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry.accounts import services

LOGIN = "/accounts/login/"
SECOND_FACTOR = "/accounts/second-factor/"
ENROL = "/accounts/second-factor/enrol/"


@pytest.fixture
def otp_required(settings):
    settings.OTP_REQUIRED = True


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The app's code now, or ``steps_ahead`` 30-second steps later (a code once accepted is
    never accepted again, so a second sign-in in the same step needs the next one)."""
    return f"{totp(device.bin_key, step=device.step, t0=-device.step * steps_ahead):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """Enrols ``user`` through the services, as the enrolment page does."""
    device = services.start_enrolment(user=user)
    return services.confirm_enrolment(user=user, code=code_for(device))


def sign_in_with_password(client, username, password="pw"):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response
