"""The root URL configuration."""

from django.contrib import admin
from django.urls import include, path

from registry import views

urlpatterns = [
    # The vendors' REST API (registry/api/) first: its calls are the most frequent, and every
    # pattern tried before a match costs each of them.
    path("api/", include("registry.api.urls")),
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("registry.accounts.urls")),
    path("admin/", admin.site.urls),
    path("countries/", include("countries.urls")),
    path("", include("licenses.urls")),
    path("audit/", include("registry.audit.urls")),
]

# Under /api/ a URL that matches nothing, or a fault, answers JSON; elsewhere Django's pages.
handler404 = "registry.api.exceptions.not_found"

# A lost database connection outside a view answers 503, like one inside (registry.middleware).
handler500 = "registry.middleware.server_error"
