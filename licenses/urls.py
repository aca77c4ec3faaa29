from django.urls import path

from licenses import views

app_name = "licenses"

urlpatterns = [
    path("vendors/", views.VendorListView.as_view(), name="vendor-list"),
    path("vendors/new/", views.VendorCreateView.as_view(), name="vendor-new"),
    path(
        "vendors/<str:registration_number>/",
        views.VendorDetailView.as_view(),
        name="vendor-detail",
    ),
    path(
        "vendors/<str:registration_number>/edit/",
        views.VendorEditView.as_view(),
        name="vendor-edit",
    ),
    path(
        "vendors/<str:registration_number>/status/",
        views.VendorStatusView.as_view(),
        name="vendor-status",
    ),
    path("applications/", views.ApplicationQueueView.as_view(), name="application-list"),
    path(
        "applications/<str:reference>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<str:reference>/review/",
        views.ApplicationReviewView.as_view(),
        name="application-review",
    ),
    path(
        "applications/<str:reference>/decision/",
        views.ApplicationDecideView.as_view(),
        name="application-decide",
    ),
    path("licences/", views.LicenceListView.as_view(), name="licence-list"),
    path("licences/<str:number>/", views.LicenceDetailView.as_view(), name="licence-detail"),
    path("licences/<str:number>/action/", views.LicenceActionView.as_view(), name="licence-action"),
]
