"""Receivers on the loopback, and the registry told to trust and reach them."""

import pytest

from tests.support.receivers import HTTPSReceiver, SMTPReceiver


@pytest.fixture
def receiver():
    server = HTTPSReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhook_settings(settings, receiver):
    """Loopback receivers allowed (WEBHOOK_ALLOW_PRIVATE), their authority trusted, short limits."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_CA_BUNDLE = str(receiver.ca_file)
    settings.WEBHOOK_CONNECT_TIMEOUT = 2
    settings.WEBHOOK_TIMEOUT = 2
    return settings


@pytest.fixture
def smtp(settings):
    server = SMTPReceiver().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()
