"""Counts of password-reset requests in the shared cache, per client and per email address.

Kept in the cache (Redis in production) so every app server sees the same count; a lost count
after a restart only means a few more requests get through.
"""

import hashlib

from django.core.cache import cache

WINDOW_SECONDS = 3600


def allow(scope: str, value: str, *, limit: int) -> bool:
    """Counts one more request for ``value``; False once ``limit`` are in the current hour."""
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    key = f"accounts:throttle:{scope}:{digest}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit
