"""The root URL configuration."""

from django.contrib import admin
from django.urls import include, path

from registry import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("audit/", include("registry.audit.urls")),
]

# A lost database connection outside a view answers 503, like one inside (registry.middleware).
handler500 = "registry.middleware.server_error"
