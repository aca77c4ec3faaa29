"""The lockout after repeated failed sign-ins on the web, with django-axes.

Two counts, kept in axes' table (so every app server sees them): failures of one username from
one client address (``AXES_FAILURE_LIMIT``), and failures of one username from anywhere
(``SIGNIN_USERNAME_FAILURE_LIMIT``, higher), so that guessing from many addresses is stopped too.

The client address is the one the trusted proxies saw (:func:`client_address`): keyed on the
load balancer's address, one client's failures locked the username for everybody behind it.

Not to be confused with the API's request-rate throttles (``registry.api.throttles``).
"""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def client_address(request) -> str | None:
    """The client's address: ``TRUSTED_PROXY_COUNT`` hops from the right of X-Forwarded-For.

    Each trusted proxy appends the address it received the request from, so the client's own is
    that many entries from the right; anything to its left was written by the client and is
    ignored. With no trusted proxy (the default), or a header too short or not an address, the
    peer's address (``REMOTE_ADDR``) is the client.
    """
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def username_failures(request, credentials) -> int:
    """Failures of the attempted username from every address within the cool-off."""
    username = get_client_username(request, credentials)
    if not username:
        return 0
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off(request)
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInLockoutHandler(AxesDatabaseHandler):
    """axes' handler, with the per-username cap added to its per-client lockout."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or (
            username_failures(request, credentials) >= settings.SIGNIN_USERNAME_FAILURE_LIMIT
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if username_failures(request, credentials) >= settings.SIGNIN_USERNAME_FAILURE_LIMIT:
            request.axes_locked_out = True
            request.axes_credentials = credentials


class SignInLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before the password is even checked.

    Axes counts failures per web request. ``authenticate()`` called without a request (the shell,
    Django's test client) is not a sign-in from the web, so it is passed on to the next backend
    instead of failing; the API authenticates with tokens and never comes here.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
