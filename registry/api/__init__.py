"""The shared pieces of the vendors' REST API under ``/api/v1/``.

Authentication, permissions, errors, idempotency, throttles, pagination and schema hooks live here;
each app's ``api_views.py`` and ``serializers.py`` use them and call the same services as the web.
"""
