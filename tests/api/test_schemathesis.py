"""Property-based tests of the API against its own OpenAPI schema, with Schemathesis.

Schemathesis reads ``/api/schema/`` from the WSGI application and sends generated requests, valid
(positive) and invalid (negative), to every operation as a vendor's user on seeded data. Every
answer must be no server error, and its status code, content type, headers and body must be those
the schema documents; a request the schema calls invalid must be refused.

The operations are driven with Hypothesis directly (``APIOperation.as_strategy``), because
Schemathesis's pytest plugin does not run under pytest 9. The examples are bounded and
derandomized so the run is reproducible and stays short.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from tests.factories import register_product, submit_application

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]
EXAMPLES_PER_OPERATION = 20
EXPECTED_OPERATIONS = 34


@pytest.fixture
def api_schema(db, settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # the host Schemathesis's WSGI client sends
    # As Django's test client does: a request's end must not close the connection that holds
    # the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def vendor_token(api_client_for, vendor_a, user_a, settings):
    """A vendor's token on seeded data, with no throttling to cut the run short."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "anonymous": None},
    }
    product = register_product(vendor=vendor_a, by=user_a)
    submit_application(vendor=vendor_a, by=user_a, product=product)
    submit_application(vendor=vendor_a, by=user_a, product=product, destination="MX")
    return api_client_for(user=user_a)._credentials["HTTP_AUTHORIZATION"]


def headers_to_add(case, token):
    """The vendor's token, unless the case's headers are the invalid part under test.

    A negative case may drop or spoil the Authorization header on purpose; putting the token
    back would send a valid request and make its acceptance look like a fault.
    """
    components = case.meta.components if case.meta else {}
    header = components.get(ParameterLocation.HEADER)
    return {} if header and header.mode.is_negative else {"Authorization": token}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_schema(api_schema, vendor_token, mode, capsys):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == EXPECTED_OPERATIONS
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers_to_add(case, vendor_token), checks=CHECKS)

        check()
    with capsys.disabled():
        print(f"\nSchemathesis, {mode.value}: {calls} cases over {len(operations)} operations")
    assert calls >= len(operations)
