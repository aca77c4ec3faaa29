"""The root URL configuration."""

from django.contrib import admin
from django.urls import include, path

from registry import views
from registry.api import API_PREFIX

urlpatterns = [
    # The vendors' REST API (registry/api/) first: its calls are the most frequent, and every
    # pattern tried before a match costs each of them.
    path(API_PREFIX.removeprefix("/"), include("registry.api.urls")),
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
    path("accounts/", include("registry.accounts.urls")),
    path("account/tokens/", include("registry.accounts.token_urls")),
    path("admin/", admin.site.urls),
    path("countries/", include("countries.urls")),
    path("", include("licenses.urls")),
    path("", include("documents.urls")),
    path("catalogues/", include("decisions.urls")),
    path("screening/", include("screening.urls")),
    path("audit/", include("registry.audit.urls")),
]

# Under the API's prefix a URL that matches nothing, or a fault, answers JSON; elsewhere the
# site's pages. A lost database connection outside a view answers 503.
handler404 = "registry.views.not_found"
handler500 = "registry.views.server_error"
