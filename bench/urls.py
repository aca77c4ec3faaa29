from django.urls import include, path

from bench import views
from registry.urls import handler500  # noqa: F401
from registry.urls import urlpatterns as registry_urlpatterns

urlpatterns = [
    path("bench/constant/", views.constant_json),
    path("bench/insert/", views.insert_one_row),
    path("bench/peer/api/", include("bench.peer.urls")),
    *registry_urlpatterns,
]
