from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("", views.MatchListView.as_view(), name="match-list"),
    path("matches/<int:pk>/", views.MatchDetailView.as_view(), name="match-detail"),
    path("matches/<int:pk>/decide/", views.MatchDecideView.as_view(), name="match-decide"),
    path("concern/", views.ConcernListView.as_view(), name="concern-list"),
    path("concern/add/", views.ConcernAddView.as_view(), name="concern-add"),
    path("concern/<int:pk>/", views.ConcernDetailView.as_view(), name="concern-detail"),
    path("concern/<int:pk>/retire/", views.ConcernRetireView.as_view(), name="concern-retire"),
    path("snapshots/", views.SnapshotListView.as_view(), name="snapshot-list"),
    path(
        "snapshots/<int:pk>/release/", views.SnapshotReleaseView.as_view(), name="snapshot-release"
    ),
]
