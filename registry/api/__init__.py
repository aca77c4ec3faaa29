"""The shared pieces of the vendors' REST API under ``/api/v1/``.

Authentication, permissions, errors, idempotency, throttles, pagination and schema hooks live here;
each app's ``api_views.py`` and ``serializers.py`` use them and call the same services as the web.
"""

# Under this prefix every answer is the API's JSON, errors and outages included: the versioned
# resources, the OpenAPI schema and its docs page.
API_PREFIX = "/api/"
API_V1_PREFIX = f"{API_PREFIX}v1/"
