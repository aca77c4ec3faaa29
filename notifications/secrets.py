"""Webhook secrets, encrypted at rest with Fernet.

A webhook secret cannot be stored hashed like an API token: the registry signs every delivery
with it (HMAC-SHA256), so it must be able to read it back. It is encrypted with the keys in
``WEBHOOK_SECRET_KEYS`` (the first encrypts, every one decrypts, so a key can be rotated), or,
without them, a key derived from ``SECRET_KEY``. A copy of the database alone does not reveal it.
"""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def _fernet() -> MultiFernet:
    keys = list(settings.WEBHOOK_SECRET_KEYS)
    if not keys:
        digest = hashlib.sha256(b"webhook-secrets:" + settings.SECRET_KEY.encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
