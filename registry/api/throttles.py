"""Request rates per token (and per address for anonymous calls), counted in the shared cache.

DRF's own throttles keep a list of timestamps that they read and write back, so two server
processes answering at once can each overwrite the other's count. These count with the cache's
atomic ``incr`` (and ``add`` for a window's first request) in fixed windows instead: with
``CACHE_URL`` pointing at Redis, every process of every server adds to the same counter. The
rates are the ``DEFAULT_THROTTLE_RATES`` of ``REST_FRAMEWORK``, read at each request so a
changed setting applies at once.
"""

from knox.models import AuthToken
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from registry import shared_cache


class _WindowCounterThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def __init__(self):
        self._wait = None

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def counter(self, ident: str) -> tuple[str, int] | None:
        """The current window's counter for ``ident`` (its key and lifetime); None without a
        rate. Sets what ``allow_request`` and ``wait`` answer with."""
        self.rate = self.get_rate()
        if self.rate is None:
            return None
        self.num_requests, self.duration = self.parse_rate(self.rate)
        now = int(self.timer())
        window = now // self.duration
        self._wait = (window + 1) * self.duration - now
        key = self.cache_format % {"scope": self.scope, "ident": ident}
        return f"{key}:{window}", self.duration + 1

    def allow_request(self, request, view):
        ident = self.get_ident_of(request)
        counter = None if ident is None else self.counter(ident)
        if counter is None:
            return True
        # The authentication may have counted this request already, in its one round trip.
        counted = getattr(request, "counted", None) or {}
        count = counted.get(counter[0]) or shared_cache.count(*counter)
        return count <= self.num_requests

    def get_ident_of(self, request) -> str | None:
        raise NotImplementedError

    def wait(self):
        return self._wait


class TokenRateThrottle(_WindowCounterThrottle):
    """Counts each token on its own, so one vendor's busy script does not slow its colleague's."""

    scope = "token"

    def get_ident_of(self, request):
        if not isinstance(request.auth, AuthToken):
            return None
        return self.ident(request.auth.digest)

    @staticmethod
    def ident(digest: str) -> str:
        return digest[:40]


class AnonymousRateThrottle(_WindowCounterThrottle):
    """Counts calls without a valid token by client address."""

    scope = "anonymous"

    def get_ident_of(self, request):
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)

    def refuse_when_over(self, request) -> None:
        """Counts a call whose token was refused, raising ``Throttled`` once the address is
        over the rate (the view's throttles never see such a call)."""
        counter = self.counter(self.get_ident(request))
        if counter is not None and shared_cache.count(*counter) > self.num_requests:
            raise exceptions.Throttled(wait=self.wait())
