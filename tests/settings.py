"""Test settings: the project's settings, with a test secret and a fast password hasher.

``DATABASE_URL`` chooses the database as in production: SQLite by default, PostgreSQL in CI.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("AUDIT_KEY", "tests-only-audit-key")
# A checkpoint signing key kept with the tests only; subprocesses of the tests inherit it.
os.environ.setdefault(
    "AUDIT_SIGNING_KEY_FILE", str(Path(__file__).resolve().parent / "keys" / "audit-signing.key")
)

# The document signing pair kept with the tests (a self-signed certificate, not marked for
# development so the check with DEBUG off accepts it).
os.environ.setdefault(
    "SIGNING_KEY_FILE", str(Path(__file__).resolve().parent / "keys" / "document-signing.key")
)
os.environ.setdefault(
    "SIGNING_CERT_FILE", str(Path(__file__).resolve().parent / "keys" / "document-signing.crt")
)

from registry.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Documents filed by the tests go to a folder of the run's own, never the project's media folder.
STORAGES["documents"]["OPTIONS"] = {  # noqa: F405
    "location": tempfile.mkdtemp(prefix="registry-test-documents-")
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True
# The test client speaks plain HTTP; production redirects to HTTPS (SECURE_SSL_REDIRECT).
SECURE_SSL_REDIRECT = False
# The second factor is off unless a test turns it on (tests/accounts/); the production default,
# on whenever DEBUG is off, is checked there too.
OTP_REQUIRED = False
