from django.urls import path

from licenses import casework_views, verify_views, views
from registry import converters  # noqa: F401  (registers the "key" converter)

app_name = "licenses"

urlpatterns = [
    path("vendors/", views.VendorListView.as_view(), name="vendor-list"),
    path("vendors/new/", views.VendorCreateView.as_view(), name="vendor-new"),
    path(
        "vendors/<key:registration_number>/",
        views.VendorDetailView.as_view(),
        name="vendor-detail",
    ),
    path(
        "vendors/<key:registration_number>/edit/",
        views.VendorEditView.as_view(),
        name="vendor-edit",
    ),
    path(
        "vendors/<key:registration_number>/status/",
        views.VendorStatusView.as_view(),
        name="vendor-status",
    ),
    path("applications/", casework_views.ApplicationQueueView.as_view(), name="application-list"),
    path(
        "applications/<key:reference>/",
        views.ApplicationDetailView.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<key:reference>/review/",
        views.ApplicationReviewView.as_view(),
        name="application-review",
    ),
    path(
        "applications/<key:reference>/decision/",
        views.ApplicationDecideView.as_view(),
        name="application-decide",
    ),
    path(
        "applications/<key:reference>/rescreen/",
        views.ApplicationRescreenView.as_view(),
        name="application-rescreen",
    ),
    path(
        "applications/export.csv",
        casework_views.ApplicationExportView.as_view(),
        name="application-export",
    ),
    path(
        "applications/<key:reference>/take/",
        casework_views.TakeCaseView.as_view(),
        name="application-take",
    ),
    path(
        "applications/<key:reference>/assign/",
        casework_views.AssignCaseView.as_view(),
        name="application-assign",
    ),
    path(
        "applications/<key:reference>/requests/",
        casework_views.RaiseRequestView.as_view(),
        name="application-request",
    ),
    path(
        "applications/<key:reference>/notes/",
        casework_views.AddNoteView.as_view(),
        name="application-note",
    ),
    path(
        "applications/<key:reference>/refuse-missing-information/",
        casework_views.RefuseForMissingInformationView.as_view(),
        name="application-refuse-missing",
    ),
    path(
        "applications/<key:reference>/appeal/",
        views.AppealDecideView.as_view(),
        name="appeal-decide",
    ),
    path(
        "applications/<key:reference>/issued/<uuid:key>/",
        views.IssuedDocumentFileView.as_view(),
        name="issued-document",
    ),
    path("verify/", verify_views.VerifyView.as_view(), name="verify"),
    path("licences/", views.LicenceListView.as_view(), name="licence-list"),
    path("licences/<key:number>/", views.LicenceDetailView.as_view(), name="licence-detail"),
    path("licences/<key:number>/action/", views.LicenceActionView.as_view(), name="licence-action"),
]
