from django.urls import path

from registry import converters  # noqa: F401  (registers the "key" converter)
from registry.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("whitelist/", views.whitelist, name="whitelist"),
    path("whitelist/diff/", views.whitelist_diff, name="whitelist-diff"),
    path("<slug:kind>/<key:key>/", views.object_history, name="object-history"),
]
