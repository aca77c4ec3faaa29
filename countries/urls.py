from django.urls import path

from countries import views
from registry import converters  # noqa: F401  (registers the "key" converter)

app_name = "countries"

urlpatterns = [
    path("", views.CountryListView.as_view(), name="list"),
    path("revisions/", views.RevisionListView.as_view(), name="revision-list"),
    path("revisions/new/", views.RevisionCreateView.as_view(), name="revision-new"),
    path("revisions/<key:reference>/", views.RevisionDetailView.as_view(), name="revision-detail"),
    path(
        "revisions/<key:reference>/decision/",
        views.RevisionDecideView.as_view(),
        name="revision-decide",
    ),
]
