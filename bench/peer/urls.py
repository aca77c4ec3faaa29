from rest_framework.routers import SimpleRouter

from bench.peer import views

router = SimpleRouter()
router.register("countries", views.PeerCountryViewSet, basename="peer-country")
router.register("applications", views.PeerApplicationViewSet, basename="peer-application")

urlpatterns = router.urls
