"""Throttling of repeated failed sign-ins on the web, with django-axes."""

from axes.backends import AxesStandaloneBackend


class SignInThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out username and address before the password is even checked.

    Axes counts failures per web request. ``authenticate()`` called without a request (the shell,
    Django's test client) is not a sign-in from the web, so it is passed on to the next backend
    instead of failing; the API authenticates with tokens and never comes here.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
