from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    path(
        "criteria/",
        views.CatalogueView.as_view(),
        {"catalogue": "criteria"},
        name="criteria",
    ),
    path(
        "conditions/",
        views.CatalogueView.as_view(),
        {"catalogue": "conditions"},
        name="conditions",
    ),
]
