"""One country's standing, answered from the shared cache; the only writer of its entries.

Vendors ask whether a destination is eligible far more often than the list changes, so the
answer is cached per country. Applying a revision rewrites every entry once its transaction
commits (:func:`refresh_standings`); a request that read the old list just before that commit only
``add``s, so it cannot overwrite the fresh entries. ``COUNTRY_CACHE_SECONDS`` bounds anything
else, such as a process that died between the commit and the refresh.

Redis is shared, so an entry is not taken on trust: it is JSON, never a pickle (reading one would
run whatever its bytes say), with an HMAC-SHA256 keyed from ``SECRET_KEY`` over the entry and
the key it is stored under. An entry written into Redis by anyone else, or copied from another
country's key, fails the check and counts as a miss: the standing is read from the database.

Kept apart from ``countries.selectors``, which only read the database.
"""

import datetime
import json
import logging

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from countries import selectors
from countries.models import Country
from registry import shared_cache

_MAC_SALT = "countries.standing_cache: one country's standing"

logger = logging.getLogger(__name__)


def standing_key(code: str) -> str:
    return f"country-standing:{code}"


def _standing_lifetime() -> int:
    return int(getattr(settings, "COUNTRY_CACHE_SECONDS", 60))


def _mac(key: str, payload: str) -> str:
    return salted_hmac(_MAC_SALT, f"{key}\n{payload}", algorithm="sha256").hexdigest()


_MOMENTS = ("eligible_since", "ineligible_since")


def _entry(key: str, standing: dict) -> bytes:
    moments = {name: standing[name].isoformat() if standing[name] else None for name in _MOMENTS}
    payload = json.dumps({**standing, **moments}, separators=(",", ":"), ensure_ascii=False)
    return f"{_mac(key, payload)}:{payload}".encode()


def _read(key: str, entry) -> dict | None:
    """The standing in an entry whose MAC holds for ``key``; None for anything else."""
    if not isinstance(entry, bytes | str):
        return None
    try:
        text = entry.decode() if isinstance(entry, bytes) else entry
        mac, _, payload = text.partition(":")
        if not constant_time_compare(mac, _mac(key, payload)):
            logger.warning("A cached country standing failed its check and was ignored: %s", key)
            return None
        standing = json.loads(payload)
        # An entry written before ``ineligible_since`` existed lacks it: a miss, read again.
        for name in _MOMENTS:
            since = standing[name]
            standing[name] = datetime.datetime.fromisoformat(since) if since else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return standing if isinstance(standing, dict) else None


def country_standing(code: str, *, prefetched: dict | None = None) -> dict | None:
    """The country with this (exact) code: its names, whether it is eligible, since when and by
    which revision; None when there is no such country.

    ``prefetched``: entries already read from the cache (by ``standing_key``, as the bytes
    stored) in this request.
    """
    key = standing_key(code)
    lifetime = _standing_lifetime()
    found = None
    if lifetime > 0:
        if prefetched is not None and key in prefetched:
            entry = prefetched[key]
        else:
            entry = shared_cache.read_and_count([key], raw=[key])[0].get(key)
        found = None if entry is None else _read(key, entry)
    if found is None:
        found = selectors.standings(Country.objects.filter(code=code)).get(code)
        if found is not None and lifetime > 0:
            shared_cache.add_raw(key, _entry(key, found), lifetime)
    return found


def refresh_standings() -> None:
    """Rewrites every country's cached standing from the database (after a revision commits)."""
    lifetime = _standing_lifetime()
    if lifetime > 0:
        standings = selectors.standings(Country.objects.all())
        entries = {standing_key(c): _entry(standing_key(c), s) for c, s in standings.items()}
        shared_cache.write_raw_many(entries, lifetime)
