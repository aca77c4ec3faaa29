"""The second factor's devices: enrolment, backup codes, verification, removal.

Every change to a person's devices goes through these functions, because devices are security
records of an account: one place to make them, so that one place can later record them.
"""

import math
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry import roles
from registry.errors import DomainError

BACKUP_CODE_COUNT = 10
STAFF_GROUPS = (roles.OFFICIALS, roles.SENIOR_OFFICIALS, roles.AUDITORS)
TOTP_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"


class SecondFactorLocked(DomainError):
    """Too many wrong codes in a row: no code is checked until ``until``."""

    def __init__(self, until: datetime):
        self.until = until
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
        super().__init__(
            f"Too many wrong codes. Wait {seconds} second{'s' if seconds != 1 else ''} "
            "and try again."
        )


def is_staff_role(user) -> bool:
    """True for the people who hold the registry's powers on the web: they need a second factor.

    Vendors' users (who use API tokens) and accounts without a role are not asked for one.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return user.groups.filter(name__in=STAFF_GROUPS).exists()


def second_factor_required(user) -> bool:
    """Whether ``user`` must confirm a code before using any page (``OTP_REQUIRED`` on)."""
    return bool(settings.OTP_REQUIRED) and is_staff_role(user)


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return confirmed_totp(user) is not None


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def start_enrolment(*, user) -> TOTPDevice:
    """The unconfirmed device whose secret the person is adding to their app.

    Reloading the page keeps the same secret, so a code from the app scanned a moment ago works.
    """
    if has_second_factor(user):
        raise DomainError("This account already has an authenticator app.")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_enrolment(*, user, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirms the new device with a code from the app; returns it and fresh backup codes.

    A wrong code returns None rather than raising, so that its count of wrong codes (the
    throttle) is committed with the transaction instead of rolled back.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).select_for_update().first()
    if device is None:
        raise DomainError("Start again: the enrolment has expired or was finished elsewhere.")
    _check_allowed(device)
    if not device.verify_token("".join(code.split())):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    return device, _replace_backup_codes(user)


@transaction.atomic
def replace_backup_codes(*, user) -> list[str]:
    """New backup codes; the old ones stop working."""
    if not has_second_factor(user):
        raise DomainError("Set up an authenticator app first.")
    return _replace_backup_codes(user)


def _replace_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def verify_code(*, user, code: str):
    """The device that accepts ``code`` (the app's 6 digits, or a backup code), or None.

    Each device counts its own wrong codes and makes the next attempt wait 1, 2, 4, 8… seconds
    (django-otp), so guessing is slow; a locked device raises ``SecondFactorLocked`` without
    looking at the code at all.
    """
    cleaned = "".join(code.split()).lower()
    if cleaned.isdigit() and len(cleaned) == 6:
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).select_for_update()
    else:
        device = StaticDevice.objects.devices_for_user(user, confirmed=True).select_for_update()
    device = device.first()
    if device is None:
        return None
    _check_allowed(device)
    return device if device.verify_token(cleaned) else None


@transaction.atomic
def remove_second_factor(*, user) -> None:
    """Removes the app and the backup codes: the next sign-in enrols again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _check_allowed(device) -> None:
    allowed, detail = device.verify_is_allowed()
    if not allowed:
        raise SecondFactorLocked(detail["locked_until"])


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the QR code and the same secret typed out."""

    qr_svg: str
    secret: str


def enrolment_details(device: TOTPDevice) -> Enrolment:
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8
    )
    out = BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # no XML declaration inside an HTML page
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return Enrolment(
        qr_svg=svg, secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    )
