"""Production middleware: request logs, the content security policy, replica routing, and 503s.

None of it keeps state in the process: any number of app servers can run side by side.
"""

import logging
import time
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.functional import empty
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from registry import request_context
from registry.api import API_PREFIX
from registry.db_router import replica_reads

request_log = logging.getLogger("registry.requests")

# The errors of a database that is down, restarting or unreachable. Integrity and data errors are
# bugs or bad input, not an outage, and keep their own handling.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
# The errors of a Redis (``CACHE_URL``) that is down or unreachable. The API reads its callers'
# credentials and counts their rate there before a view acts, so it cannot answer without it;
# the web pages keep their sessions in the database and go on working.
CACHE_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 5

_UNAVAILABLE_DETAIL = {
    "database": "The registry's database is unavailable. Nothing was changed; try again shortly.",
    "cache": "The registry's shared cache is unavailable; try again shortly.",
}


def unavailable_service(exception: BaseException | None) -> str | None:
    """``"database"`` or ``"cache"`` when ``exception`` says that one is away, else None."""
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return "database"
    if isinstance(exception, CACHE_UNAVAILABLE):
        return "cache"
    return None


def _header_request_id(request) -> str:
    incoming = request.headers.get("X-Request-ID", "")
    if incoming and len(incoming) <= 200 and incoming.isprintable():
        return incoming
    return uuid.uuid4().hex


def _user_id(request):
    """The signed-in user's id if authentication already ran; never queries the database."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return getattr(user, "pk", None)


class RequestLogMiddleware:
    """Writes one structured log line per request and tags the response with its request id.

    The id comes from an ``X-Request-ID`` header set by the load balancer, or is made here, so a
    request can be followed from the proxy's log to the app's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = _header_request_id(request)
        with request_context.bound(request.request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request": {
                    "request_id": request.request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": _user_id(request),
                    "remote_addr": request.META.get("REMOTE_ADDR"),
                }
            },
        )
        return response


class ContentSecurityPolicyMiddleware:
    """Adds the ``Content-Security-Policy`` header from the ``CONTENT_SECURITY_POLICY`` setting."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class ReplicaRoutingMiddleware:
    """Lets the auditors' GET pages read from the replica (see ``registry.db_router``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "REPLICA_PATH_PREFIXES", ()))

    def __call__(self, request):
        if (
            self.prefixes
            and request.method in ("GET", "HEAD")
            and request.path.startswith(self.prefixes)
        ):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)


def unavailable_response(request, service: str) -> HttpResponse:
    """503 while the database or the cache is away: JSON for the API, a plain page for people."""
    if request.path.startswith(API_PREFIX):
        response = JsonResponse(
            {"detail": _UNAVAILABLE_DETAIL[service], "code": f"{service}_unavailable"},
            status=503,
        )
    else:
        # Rendered without the request: the context processors would ask the database for the user.
        try:
            page = render_to_string("503.html", {"service": service})
        except Exception:  # the outage page must not fail on anything else missing
            page = "<!doctype html><title>Unavailable</title><h1>Temporarily unavailable</h1>"
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ServiceUnavailableMiddleware:
    """Turns a lost database or cache connection in a view into a 503 instead of a 500.

    The transaction the view was in has rolled back, so nothing was half written; Django closes a
    broken database connection at the end of the request, redis-py drops a broken one, and the
    next request connects afresh.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return outage_response(request, exception)


def outage_response(request, exception: BaseException):
    """The 503 for an exception that is a lost database or cache connection, else None.

    Also for middleware that reads the session before the view runs, where ``process_exception``
    does not reach: without it an outage there would be logged as a crash.
    """
    service = unavailable_service(exception)
    if service is None:
        return None
    request_log.warning("%s unavailable: %s", service, exception)
    return unavailable_response(request, service)
