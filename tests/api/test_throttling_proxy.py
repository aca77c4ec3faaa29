"""The API's per-address throttle counts the address the trusted proxies saw.

Left to itself, DRF keys an anonymous caller on the whole X-Forwarded-For header, which the
caller writes: a new header on every call was a new caller, and the throttle never applied.
"""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/countries/FR/"


@pytest.fixture
def low_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anonymous": "2/minute"},
    }


def test_a_forged_forwarded_header_does_not_escape_the_throttle(low_rates):
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    statuses = [
        client.get(CHECK, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_count(low_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        client.get(CHECK, HTTP_X_FORWARDED_FOR="192.0.2.9, 203.0.113.7")
    assert client.get(CHECK, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.get(CHECK, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 401
