"""Keeps a signed-in member of staff on the second-factor step until they have passed it."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from registry.accounts import services

# Reachable before the code is confirmed: the step itself, enrolment, signing out, and what needs
# no session at all (the API authenticates with tokens, load balancers probe /healthz).
_OPEN_URL_NAMES = ("second-factor", "second-factor-enrol", "logout", "login")
_OPEN_PREFIXES = ("/api/", "/healthz", "/static/")


class SecondFactorRequiredMiddleware:
    """Sends an unverified member of staff from every page to the second-factor step.

    Placed after django-otp's ``OTPMiddleware``, which tells whether this session's code was
    confirmed (``request.user.is_verified()``). Every page, the admin and the audit trail
    included, is covered here rather than view by view, so a new page cannot forget it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        if settings.OTP_REQUIRED and self._must_verify(request):
            target = reverse("second-factor")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)

    def _must_verify(self, request) -> bool:
        path = request.path_info
        if path.startswith(_OPEN_PREFIXES) or path in self._open():
            return False
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return False
        return services.is_staff_role(user)

    def _open(self) -> frozenset[str]:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in _OPEN_URL_NAMES)
        return self._open_paths
