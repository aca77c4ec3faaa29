"""Project-wide pages: the health check, the role dashboard, and the 404 and 500 pages."""

import sys

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
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
