from django.urls import path

from documents import views
from registry import converters  # noqa: F401  (registers the "key" converter)

app_name = "documents"

urlpatterns = [
    path(
        "applications/<key:reference>/documents/<uuid:key>/file/",
        views.DocumentFileView.as_view(),
        name="document-file",
    ),
    path(
        "applications/<key:reference>/documents/<uuid:key>/review/",
        views.DocumentReviewView.as_view(),
        name="document-review",
    ),
    path("declaration-templates/", views.TemplateListView.as_view(), name="template-list"),
    path("declaration-templates/new/", views.TemplateCreateView.as_view(), name="template-new"),
]
