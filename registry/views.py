"""Project-wide pages: the health check, the role dashboard, and the 404 and 500 pages."""

import hmac
import sys
import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from countries.models import WhitelistRevision
from countries.selectors import revisions_waiting
from licenses.models import Licence, LicenceApplication, Vendor
from licenses.selectors import (
    application_queue,
    counts_by_status,
    overdue_by_official,
    reports_overdue,
)
from registry import broker, metrics
from registry.api import API_PREFIX
from registry.api.exceptions import not_found_response, server_error_response
from registry.middleware import CACHE_UNAVAILABLE, unavailable_response, unavailable_service
from screening import selectors as screening_selectors

DASHBOARD_ROWS = 8


@never_cache
@require_GET
def healthz(request):
    """Open to anyone, for load balancers: 200 when the database answers, 503 when it does not.

    The shared cache's state is reported too, for monitoring, but does not fail the check: every
    instance shares the one Redis, and the web pages work without it; taking every instance out
    of the load balancer would stop the officials as well as the API.
    """
    try:
        cache.get("healthz")
        cache_state = "up"
    except CACHE_UNAVAILABLE:
        cache_state = "down"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse(
            {"status": "unavailable", "database": "down", "cache": cache_state}, status=503
        )
    return JsonResponse({"status": "ok", "database": "up", "cache": cache_state})


# Once every migration is found applied, a process trusts that for this long before it loads the
# migration graph again (a few tens of milliseconds): probes come every few seconds.
MIGRATIONS_CHECK_SECONDS = 60
_migrations_applied_at: float | None = None


def unapplied_migrations() -> list[str]:
    """The migrations the code has and the database lacks, as ``app.name``."""
    global _migrations_applied_at
    if (
        _migrations_applied_at is not None
        and time.monotonic() - _migrations_applied_at < MIGRATIONS_CHECK_SECONDS
    ):
        return []
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    missing = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    _migrations_applied_at = None if missing else time.monotonic()
    return missing


@never_cache
@require_GET
def readyz(request):
    """Open to anyone, for load balancers and orchestrators: may this instance take traffic?

    200 when the database answers, the shared cache answers, the Celery broker answers (when
    ``CELERY_BROKER_URL`` is set) and every migration of this code is applied; otherwise 503
    naming what is missing. Unlike ``/healthz`` (is the process alive), a failure here should take
    the instance out of the load balancer, not restart it. It reveals no more than service names,
    error classes and migration names, which are in the public source.
    """
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True}
    except DatabaseError as error:
        checks["database"] = {"ok": False, "error": type(error).__name__}
    try:
        cache.set("readyz", "1", 10)
        cache.get("readyz")
        checks["cache"] = {"ok": True}
    except Exception as error:  # any failure of the cache means not ready
        checks["cache"] = {"ok": False, "error": type(error).__name__}
    if broker.url():
        problem = broker.problem()
        checks["broker"] = {"ok": True} if problem is None else {"ok": False, "error": problem}
    if checks["database"]["ok"]:
        try:
            missing = unapplied_migrations()
        except DatabaseError as error:
            checks["migrations"] = {"ok": False, "error": type(error).__name__}
        else:
            checks["migrations"] = {"ok": not missing, "unapplied": missing}
    else:
        checks["migrations"] = {"ok": False, "error": "database unavailable"}
    failing = sorted(name for name, check in checks.items() if not check["ok"])
    return JsonResponse(
        {"status": "unavailable" if failing else "ok", "missing": failing, "checks": checks},
        status=503 if failing else 200,
    )


@never_cache
@require_GET
def metrics_view(request):
    """Prometheus only: ``Authorization: Bearer <METRICS_TOKEN>``, compared in constant time.
    404 when no token is configured (the endpoint does not exist), 401 without the right one."""
    expected = getattr(settings, "METRICS_TOKEN", "")
    if not expected:
        raise Http404
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        response = JsonResponse({"detail": "A valid bearer token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type=metrics.CONTENT_TYPE)


def recent_changes(*, limit: int = DASHBOARD_ROWS) -> list[dict]:
    """The latest history records of revisions, vendors, applications and licences, newest first.

    One query per kind of record, whatever the size of the history.
    """
    sources = [
        (WhitelistRevision, "Whitelist revision", "reference", "countries:revision-detail"),
        (Vendor, "Vendor", "registration_number", "licenses:vendor-detail"),
        (LicenceApplication, "Application", "reference", "licenses:application-detail"),
        (Licence, "Licence", "number", "licenses:licence-detail"),
    ]
    rows = []
    for model, kind, key, url_name in sources:
        records = model.history.all()
        if model is LicenceApplication:  # a draft is its vendor's alone until submitted
            records = records.exclude(status=LicenceApplication.Status.DRAFT)
        for record in records.order_by("-history_date", "-history_id")[:limit]:
            rows.append(
                {
                    "at": record.history_date,
                    "by": record.history_username,
                    "kind": kind,
                    "key": getattr(record, key),
                    "label": getattr(record, "name", "") if model is Vendor else "",
                    "url_name": url_name,
                    "reason": record.history_change_reason,
                    "type": record.get_history_type_display(),
                }
            )
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows[:limit]


@login_required
def dashboard(request):
    """Any signed-in user: the entry page for their role.

    Officials see the review queue, the revisions waiting for them, counts by status and the
    latest changes; auditors their entry points; vendor users are sent to the API.
    """
    user = request.user
    context = {
        "is_official": user.has_perm("licenses.decide_licenceapplication"),
        "is_senior": user.has_perm("countries.approve_whitelistrevision"),
        "is_auditor": user.has_perm("registry.view_audit_trail"),
        "is_vendor": user.has_perm("registry.use_vendor_api"),
    }
    if context["is_official"]:
        queue = application_queue()
        context.update(
            queue=queue[:DASHBOARD_ROWS],
            queue_total=queue.count(),
            revisions=revisions_waiting(for_user=user),
            application_counts=counts_by_status(
                LicenceApplication, leave_out=[LicenceApplication.Status.DRAFT]
            ),
            licence_counts=counts_by_status(Licence),
            changes=recent_changes(),
            overdue=overdue_by_official(),
            list_status=screening_selectors.list_status(),
            open_matches=screening_selectors.open_match_count(),
            reports_overdue=reports_overdue()[:DASHBOARD_ROWS],
            reports_overdue_total=reports_overdue().count(),
        )
    return render(request, "registry/dashboard.html", context)


def not_found(request, exception):
    """The 404 handler, for URLs that match no route: JSON under the API's prefix."""
    if request.path.startswith(API_PREFIX):
        return not_found_response()
    return defaults.page_not_found(request, exception)


def server_error(request):
    """The 500 handler: JSON under the API's prefix, the site's page elsewhere.

    An outage caught outside a view (in a middleware) still answers 503, like one inside
    (``registry.middleware.ServiceUnavailableMiddleware``).
    """
    service = unavailable_service(sys.exc_info()[1])
    if service is not None:
        return unavailable_response(request, service)
    if request.path.startswith(API_PREFIX):
        return server_error_response()
    # Rendered without the request: a context processor could fail the way the view did.
    page = loader.render_to_string("500.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponseServerError(page)
