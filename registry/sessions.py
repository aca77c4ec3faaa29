"""How long a web sign-in lasts, and keeping signed-in pages out of caches.

Sessions stay in the database (Django's default backend); these middlewares only read and write
two timestamps in them.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import patch_cache_control

from registry.api import API_PREFIX
from registry.middleware import outage_response

SIGNED_IN_AT = "registry_signed_in_at"
SEEN_AT = "registry_seen_at"
# The last-seen time is written at most this often, so that reading pages does not write the
# session row on every request; the idle timeout is exact to within this.
SEEN_RESOLUTION_SECONDS = 60


def start_clocks(sender, request, user, **kwargs):
    """Both timeouts count from signing in, also when the user signs in again while signed in.

    Written with the sign-in, so the pages that follow do not each write the session.
    """
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def connect() -> None:
    """Starts the clocks at every sign-in; called once the apps are ready."""
    user_logged_in.connect(start_clocks, dispatch_uid="registry.sessions.start_clocks")


class SessionTimeoutMiddleware:
    """Signs a user out after ``SESSION_IDLE_TIMEOUT_MINUTES`` without a request, or
    ``SESSION_ABSOLUTE_TIMEOUT_HOURS`` after signing in, however active.

    A shared or unattended browser then stops being a signed-in official. The page asked for is
    answered with the sign-in page, which brings the user back to it; the API, which signs in
    with tokens, is only stripped of the stale session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            user = getattr(request, "user", None)
            expired = (
                self._expired(request.session, now=time.time())
                if user is not None and user.is_authenticated
                else None
            )
        except Exception as error:
            response = outage_response(request, error)
            if response is None:
                raise
            return response
        if expired:
            logout(request)
            if not request.path.startswith(API_PREFIX):
                messages.info(request, expired)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _expired(session, *, now: float) -> str | None:
        idle = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
        absolute = settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        seen_at = session.get(SEEN_AT, now)
        if now - seen_at >= idle:
            return (
                f"You were signed out after {settings.SESSION_IDLE_TIMEOUT_MINUTES} minutes "
                "without activity. Sign in again to go on."
            )
        if now - signed_in_at >= absolute:
            return (
                f"You were signed out {settings.SESSION_ABSOLUTE_TIMEOUT_HOURS} hours after "
                "signing in. Sign in again to go on."
            )
        if SEEN_AT not in session or now - seen_at >= SEEN_RESOLUTION_SECONDS:
            session[SEEN_AT] = now
        return None


class NoStoreMiddleware:
    """Marks every answer to a signed-in user, or one that sets the session cookie, ``no-store``.

    Such pages and exports hold data that a shared browser's cache or a proxy must not keep
    after the user has gone. Static files are answered before this runs and keep their long
    cache headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The session cookie, not request.user: reading the user here could query a database
        # that has just gone away, after the answer was made.
        if settings.SESSION_COOKIE_NAME in request.COOKIES or (
            settings.SESSION_COOKIE_NAME in response.cookies
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response
