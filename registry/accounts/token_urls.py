"""``/account/tokens/``: a vendor's user's API tokens."""

from django.urls import path

from registry.accounts import token_views

urlpatterns = [
    path("", token_views.TokenListView.as_view(), name="tokens"),
    path("new/", token_views.TokenCreateView.as_view(), name="token-new"),
    path("<uuid:key>/revoke/", token_views.TokenRevokeView.as_view(), name="token-revoke"),
]
