from django.urls import path

from registry import converters  # noqa: F401  (registers the "key" converter)
from registry.audit import proof_views, views

app_name = "audit"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("whitelist/", views.whitelist, name="whitelist"),
    path("whitelist/diff/", views.whitelist_diff, name="whitelist-diff"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("integrity/", proof_views.integrity, name="integrity"),
    path("integrity/verify/", proof_views.verify_again, name="verify-again"),
    path("checkpoint/", proof_views.checkpoint, name="checkpoint"),
    path("proof/inclusion/", proof_views.inclusion, name="proof-inclusion"),
    path("proof/consistency/", proof_views.consistency, name="proof-consistency"),
    path("<slug:kind>/<key:key>/", views.object_history, name="object-history"),
]
