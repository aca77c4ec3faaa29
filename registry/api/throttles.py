"""Request rates per token (and per address for anonymous calls), counted in the shared cache.

DRF's own throttles keep a list of timestamps that they read and write back, so two server
processes answering at once can each overwrite the other's count. These count with the cache's
atomic ``incr`` (and ``add`` for a window's first request) in fixed windows instead: with
``CACHE_URL`` pointing at Redis, every process of every server adds to the same counter. The
rates are the ``DEFAULT_THROTTLE_RATES`` of ``REST_FRAMEWORK``, read at each request so a
changed setting applies at once.
"""

from knox.models import AuthToken
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _WindowCounterThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def __init__(self):
        self._wait = None

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = int(self.timer())
        window = now // self.duration
        key = f"{self.key}:{window}"
        count = self._count(key, timeout=self.duration + 1)
        self._wait = (window + 1) * self.duration - now
        return count <= self.num_requests

    def wait(self):
        return self._wait

    def _count(self, key: str, *, timeout: int) -> int:
        """Adds one to the window's counter: one round trip once the window has its counter."""
        for _ in range(3):
            try:
                return self.cache.incr(key)
            except ValueError:  # the window's first request, or its counter just expired
                if self.cache.add(key, 1, timeout=timeout):
                    return 1
        raise RuntimeError(f"the throttle counter {key} could not be counted")


class TokenRateThrottle(_WindowCounterThrottle):
    """Counts each token on its own, so one vendor's busy script does not slow its colleague's."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, AuthToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.digest[:40]}


class AnonymousRateThrottle(_WindowCounterThrottle):
    """Counts calls without a valid token by client address."""

    scope = "anonymous"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
