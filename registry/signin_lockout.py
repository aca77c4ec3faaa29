"""The lockout after repeated failed sign-ins on the web, with django-axes.

Not to be confused with the API's request-rate throttles (``registry.api.throttles``).
"""

from axes.backends import AxesStandaloneBackend


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
