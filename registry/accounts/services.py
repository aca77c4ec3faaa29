"""Accounts: creating them, their roles, their vendor, activation, and the second factor.

Every change to an account goes through these functions, each naming who made it and why, and
lands in the account's history (and so the audit chain) like any tracked record's. Group
membership is not a column: :func:`set_roles` writes the groups and the account's ``roles``
field together, so the history shows role changes and ``verify_audit`` can check them. The
second factor's devices are security records of an account: their enrolment and removal are
recorded in the account's history too, by name only, never a secret.
"""

import math
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from registry import roles
from registry.audit import history
from registry.errors import DomainError
from registry.models import ApiToken

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
    codes = _replace_backup_codes(user)
    record_account_event(user=user, by=user, reason="Second factor: authenticator app enrolled")
    return device, codes


@transaction.atomic
def replace_backup_codes(*, user) -> list[str]:
    """New backup codes; the old ones stop working."""
    if not has_second_factor(user):
        raise DomainError("Set up an authenticator app first.")
    codes = _replace_backup_codes(user)
    record_account_event(user=user, by=user, reason="Second factor: backup codes replaced")
    return codes


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
def remove_second_factor(*, user, by=None, reason: str = "") -> None:
    """Removes the app and the backup codes: the next sign-in enrols again.

    ``by`` is the person removing them (the account's owner when not given); an operator's
    reason is added to the record.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    note = "Second factor: authenticator app and backup codes removed"
    record_account_event(
        user=user, by=by or user, reason=f"{note} — {reason.strip()}" if reason.strip() else note
    )


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


# --- Accounts: creation, roles, vendor, activation ---------------------------------------------


ROLE_NAMES = tuple(roles.ROLE_PERMISSIONS)


def _reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why: the reason is kept in the account's history."})
    return reason.strip()


def _locked(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


def _check_roles(role_names) -> list[str]:
    names = sorted(set(role_names))
    unknown = [name for name in names if name not in ROLE_NAMES]
    if unknown:
        raise ValidationError(
            {"roles": f"Unknown role {', '.join(unknown)}; the roles are {', '.join(ROLE_NAMES)}."}
        )
    return names


def _check_vendor_link(roles_: list[str], vendor) -> None:
    """A vendor's user sees that vendor's records: no other role may come with the link (a
    vendor's user not linked yet sees nothing, and the API refuses it)."""
    vendor_roles = ([roles.VENDORS], sorted([roles.VENDORS, roles.VENDOR_ADMINS]))
    if vendor is not None and roles_ and sorted(roles_) not in vendor_roles:
        raise ValidationError(
            {
                "vendor": "Only an account in the vendors role alone (or with vendor_admins) "
                "may be linked to a vendor."
            }
        )


def roles_of(user) -> str:
    """The ``roles`` field's value for the groups ``user`` is in now."""
    return ",".join(sorted(user.groups.values_list("name", flat=True)))


@transaction.atomic
def create_user(
    *,
    by,
    reason: str,
    username: str,
    role_names=(),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    vendor=None,
    password: str | None = None,
):
    """A new account in the given roles; without a password it cannot sign in until one is
    set (by a reset email)."""
    reason = _reason(reason)
    names = _check_roles(role_names)
    _check_vendor_link(names, vendor)
    User = get_user_model()
    user = User(
        username=User.normalize_username(username),
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        vendor=vendor,
        roles=",".join(names),
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    history.save(user, by=by, reason=reason)
    user.groups.set(Group.objects.filter(name__in=names))
    return user


@transaction.atomic
def set_roles(*, user, role_names, by, reason: str):
    """Puts the account in exactly these roles (groups)."""
    reason = _reason(reason)
    names = _check_roles(role_names)
    user = _locked(user)
    _check_vendor_link(names, user.vendor)
    user.groups.set(Group.objects.filter(name__in=names))
    user.roles = ",".join(names)
    return history.save(user, by=by, reason=reason, update_fields=["roles"])


@transaction.atomic
def link_vendor(*, user, vendor, by, reason: str):
    """Links a vendor's user to its vendor, or (``vendor=None``) unlinks it."""
    reason = _reason(reason)
    user = _locked(user)
    _check_vendor_link(user.roles.split(",") if user.roles else [], vendor)
    user.vendor = vendor
    return history.save(user, by=by, reason=reason, update_fields=["vendor"])


DETAIL_FIELDS = ("email", "first_name", "last_name")


@transaction.atomic
def update_details(*, user, by, reason: str, **changes):
    """Changes the account's name or email address (where its password-reset emails go)."""
    reason = _reason(reason)
    not_editable = sorted(set(changes) - set(DETAIL_FIELDS))
    if not_editable:
        raise ValidationError(dict.fromkeys(not_editable, "This field cannot be changed here."))
    user = _locked(user)
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    return history.save(user, by=by, reason=reason, update_fields=sorted(changes))


@transaction.atomic
def set_active(*, user, active: bool, by, reason: str):
    """Deactivates an account (it can no longer sign in or use its tokens) or activates it.

    Accounts are never deleted: the history names them.
    """
    reason = _reason(reason)
    user = _locked(user)
    if user.username == history.SYSTEM_USERNAME:
        raise DomainError("The system actor never signs in; it cannot be activated.")
    if user.is_active == active:
        raise DomainError(f"{user.username} is already {'active' if active else 'inactive'}.")
    user.is_active = active
    return history.save(user, by=by, reason=reason, update_fields=["is_active"])


def deactivate_user(*, user, by, reason: str):
    return set_active(user=user, active=False, by=by, reason=reason)


def activate_user(*, user, by, reason: str):
    return set_active(user=user, active=True, by=by, reason=reason)


@transaction.atomic
def record_account_event(*, user, by, reason: str) -> None:
    """A history record of the account that changes none of its fields (a device enrolled or
    removed): the reason names what happened."""
    history.bulk_update([_locked(user)], fields=[], by=by, reason=_reason(reason))


@transaction.atomic
def record_untracked_accounts() -> int:
    """Gives every account without a history record its first one, by the system actor.

    Accounts made before their history was kept (and the system actor a migration creates)
    are recorded once, with their roles; ``migrate`` runs it. Returns how many.
    """
    User = get_user_model()
    history_model = User.history.model
    untracked = list(
        User.objects.exclude(pk__in=history_model.objects.values("id"))
        .select_for_update()
        .order_by("pk")
    )
    if not untracked:
        return 0
    system = User.objects.filter(username=history.SYSTEM_USERNAME).first()
    for user in untracked:
        user.roles = roles_of(user)
    history.bulk_update(
        untracked,
        fields=["roles"],
        by=system or untracked[0],
        reason="Account recorded: it existed before account changes were kept in the history",
    )
    return len(untracked)


# --- API tokens: the vendors' own, and the operators' issue_token -----------------------------

TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def _is_vendor_user(user) -> bool:
    return bool(user.is_active and user.vendor_id and user.has_perm("registry.use_vendor_api"))


def may_manage_token(user, token: ApiToken) -> bool:
    """A vendor's user manages their own tokens; a vendor admin every token of their vendor."""
    if not _is_vendor_user(user):
        return False
    if token.user_id == user.pk:
        return True
    return user.has_perm("registry.manage_vendor_tokens") and token.user.vendor_id == user.vendor_id


@transaction.atomic
def create_token(*, user, by, name: str, expires_at: datetime, reason: str = ""):
    """A new API token for ``user``, a vendor's user: returns its record and its key, which is
    shown this once (the registry keeps only its digest).

    ``by`` is ``user`` on the tokens page (nobody creates a token another person will hold),
    or an operator running ``issue_token``. The expiry must be in the future and at most
    ``API_TOKEN_MAX_DAYS`` ahead.
    """
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Give the token a name, such as what it is for."
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = "Give a name of 100 characters or fewer."
    now = timezone.now()
    latest = now + timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_at <= now:
        errors["expires_on"] = "The expiry date must be in the future."
    elif expires_at > latest + timedelta(days=1):
        errors["expires_on"] = (
            f"The expiry date must be at most {settings.API_TOKEN_MAX_DAYS} days from today."
        )
    if errors:
        raise ValidationError(errors)
    user = _locked(user)
    if not _is_vendor_user(user):
        raise DomainError(
            f"{user.username} is not an active vendor's user (in the vendors group and linked "
            "to a vendor): only they may use the API."
        )
    credential, key = AuthToken.objects.create(user=user, expiry=expires_at - now)
    token = ApiToken(
        digest=credential.digest,
        prefix=credential.token_key,
        name=name,
        user=user,
        created_at=credential.created,
        expires_at=credential.expiry,
    )
    history.save(
        token, by=by, reason=reason.strip() or f"API token created for {user.username}: {name}"
    )
    return token, key


@transaction.atomic
def revoke_token(*, token: ApiToken, by, reason: str) -> ApiToken:
    """Revokes a token: it answers 401 from the next call (its cached credentials are dropped
    when this commits). Refused for one already revoked, or one ``by`` may not manage."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the token is revoked: it is kept in its history."}
        )
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if by.vendor_id and not may_manage_token(by, token):
        raise DomainError("You may not manage this token.")
    if token.revoked_at is not None:
        raise DomainError(f"The token {token.name} is already revoked.")
    AuthToken.objects.filter(digest=token.digest).delete()
    token.revoked_at = timezone.now()
    token.revoked_by = by
    return history.save(
        token,
        by=by,
        reason=f"API token revoked: {reason}",
        update_fields=["revoked_at", "revoked_by"],
    )


def record_token_use(digest: str) -> None:
    """Notes that the token was used now, at most once a minute, without a history record (a
    use changes nothing on record). Called when a token is checked against the database."""
    now = timezone.now()
    with history.bulk_writes():
        ApiToken.objects.filter(digest=digest).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_USE_RESOLUTION)
        ).update(last_used_at=now)


@transaction.atomic
def revoke_api_tokens(*, users, by, reason: str) -> int:
    """Revokes every API token of ``users`` at once (an incident: a leaked token, a compromised
    vendor): each token's record is marked revoked with who and why, its credential deleted
    (the cached credentials are dropped with it, ``registry.api.credentials``), and each
    account's history names the incident. Returns how many credentials stopped."""
    reason = _reason(reason)
    revoked = 0
    now = timezone.now()
    for user in users:
        user = _locked(user)
        for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at=None):
            token.revoked_at = now
            token.revoked_by = by
            history.save(
                token,
                by=by,
                reason=f"API token revoked: {reason}",
                update_fields=["revoked_at", "revoked_by"],
            )
        count, _ = AuthToken.objects.filter(user=user).delete()
        revoked += count
        history.bulk_update(
            [user], fields=[], by=by, reason=f"{count} API token(s) revoked: {reason}"
        )
    return revoked
