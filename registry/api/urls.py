"""The vendors' API: ``/api/v1/`` and its OpenAPI schema and docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from countries.api_views import CountryViewSet
from documents.api_views import DocumentViewSet
from licenses.api_views import ApplicationViewSet, LicenceViewSet, ProductViewSet
from licenses.casework_api import InformationRequestViewSet, SharedNoteViewSet
from notifications.api_views import DeliveryViewSet, WebhookViewSet
from registry.api import API_PREFIX, API_V1_PREFIX

router = SimpleRouter()
router.register("countries", CountryViewSet, basename="country")
router.register("products", ProductViewSet, basename="product")
router.register("applications", ApplicationViewSet, basename="application")
router.register("licences", LicenceViewSet, basename="licence")
router.register(
    r"applications/(?P<application_reference>[A-Za-z0-9-]{1,20})/documents",
    DocumentViewSet,
    basename="document",
)

# Case-work on one application: nested under it, so the router's flat routes do not fit.
_APPLICATION = "applications/<str:reference>/"
casework_urls = [
    path(
        f"{_APPLICATION}requests/",
        InformationRequestViewSet.as_view({"get": "list"}),
        name="application-requests",
    ),
    path(
        f"{_APPLICATION}requests/<str:request_id>/response/",
        InformationRequestViewSet.as_view({"post": "respond"}),
        name="application-request-response",
    ),
    path(
        f"{_APPLICATION}notes/",
        SharedNoteViewSet.as_view({"get": "list"}),
        name="application-notes",
    ),
]

_WEBHOOK = "webhooks/<str:id>/"
webhook_urls = [
    path("webhooks/", WebhookViewSet.as_view({"get": "list", "post": "create"}), name="webhooks"),
    path(
        _WEBHOOK,
        WebhookViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="webhook",
    ),
    path(
        f"{_WEBHOOK}deliveries/",
        DeliveryViewSet.as_view({"get": "list"}),
        name="webhook-deliveries",
    ),
    path(
        f"{_WEBHOOK}deliveries/<str:delivery_id>/redeliver/",
        DeliveryViewSet.as_view({"post": "redeliver"}),
        name="webhook-redeliver",
    ),
]

urlpatterns = [
    path(
        API_V1_PREFIX.removeprefix(API_PREFIX),
        include((router.urls + casework_urls + webhook_urls, "api"), namespace="api"),
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
