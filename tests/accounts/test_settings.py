"""The second factor is on in production unless an operator turns it off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.OTP_REQUIRED, settings.EMAIL_BACKEND, settings.DEFAULT_FROM_EMAIL)"
)


def settings_under(**env) -> str:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "OTP_", "EMAIL_", "DEFAULT_FROM"))
        and k not in ("DEBUG", "PYTEST_CURRENT_TEST")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="registry.settings",
        SECRET_KEY="settings-test-secret",
        AUDIT_KEY="settings-test-audit-key",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "false"}, "True"),
        ({}, "True"),
        ({"DEBUG": "true"}, "False"),
        ({"DEBUG": "false", "OTP_REQUIRED": "false"}, "False"),
        ({"DEBUG": "true", "OTP_REQUIRED": "true"}, "True"),
    ],
)
def test_the_second_factor_is_required_whenever_debug_is_off(env, expected):
    assert settings_under(**env).split()[0] == expected


def test_email_goes_to_the_console_unless_configured():
    assert settings_under(DEBUG="false").split()[1:] == [
        "django.core.mail.backends.console.EmailBackend",
        "registry@localhost",
    ]
    configured = settings_under(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DEFAULT_FROM_EMAIL="registry@agency.example",
    )
    assert configured.split()[1:] == [
        "django.core.mail.backends.smtp.EmailBackend",
        "registry@agency.example",
    ]
