"""One country's standing, answered from the shared cache; the only writer of its entries.

Vendors ask whether a destination is eligible far more often than the list changes, so the
answer is cached per country. Applying a revision rewrites every entry once its transaction
commits (:func:`refresh_standings`); a request that read the old list just before that commit only
``add``s, so it cannot overwrite the fresh entries. ``COUNTRY_CACHE_SECONDS`` bounds anything
else, such as a process that died between the commit and the refresh.

Kept apart from ``countries.selectors``, which only read the database.
"""

from django.conf import settings
from django.core.cache import cache

from countries import selectors
from countries.models import Country


def standing_key(code: str) -> str:
    return f"country-standing:{code}"


def _standing_lifetime() -> int:
    return int(getattr(settings, "COUNTRY_CACHE_SECONDS", 60))


def country_standing(code: str, *, prefetched: dict | None = None) -> dict | None:
    """The country with this (exact) code: its names, whether it is eligible, since when and by
    which revision; None when there is no such country.

    ``prefetched``: values already read from the cache (by ``standing_key``) in this request.
    """
    key = standing_key(code)
    lifetime = _standing_lifetime()
    if lifetime <= 0:
        found = None
    elif prefetched is not None and key in prefetched:
        found = prefetched[key]
    else:
        found = cache.get(key)
    if found is None:
        found = selectors.standings(Country.objects.filter(code=code)).get(code)
        if found is not None and lifetime > 0:
            cache.add(key, found, timeout=lifetime)
    return found


def refresh_standings() -> None:
    """Rewrites every country's cached standing from the database (after a revision commits)."""
    lifetime = _standing_lifetime()
    if lifetime > 0:
        standings = selectors.standings(Country.objects.all())
        cache.set_many({standing_key(c): s for c, s in standings.items()}, timeout=lifetime)
