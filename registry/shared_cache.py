"""Reading several keys of the shared cache and counting a request, in one round trip.

An API call reads its caller's credentials and what its view caches, and counts itself against
its token's rate. Each is one round trip to Redis on its own, and on a busy server the round
trips, not the work, are what an eligibility check costs. With django-redis the reads and the
count are one script, run in one command; with any other cache (the in-process default of a
development machine) they are that cache's ordinary calls, with the same results.

django-redis pickles what it stores, and unpickling runs whatever the bytes say: anyone able to
write to Redis could run code in the app through any value read back. Values that must not be
trusted that far (the API's credentials, the countries' standings) are written and read here as
plain bytes instead (``write_raw``, ``add_raw``, ``write_raw_many`` and ``raw=``), never through
the cache's serializer, and their readers check what they read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.core.cache import cache
from redis.exceptions import NoScriptError

# Reads KEYS[2..] and, when ARGV[1] is not 0, adds one to the counter KEYS[1], giving it ARGV[1]
# seconds to live when this creates it: one command, and no counter is ever left without an
# expiry. The reply is the count (0 without a counter) followed by the values.
_READ_AND_COUNT = """
local n = 0
if ARGV[1] ~= '0' then
  n = redis.call('INCR', KEYS[1])
  if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
end
local out = {n}
for i = 2, #KEYS do out[i] = redis.call('GET', KEYS[i]) end
return out
"""
_SHA = hashlib.sha1(_READ_AND_COUNT.encode()).hexdigest()


def read_and_count(
    keys: Sequence[str], *, counter: tuple[str, int] | None = None, raw: Sequence[str] = ()
) -> tuple[dict, int | None]:
    """The values found for ``keys``, and the ``counter`` (key, lifetime in seconds) after
    adding one to it (None without a counter). The values of the ``raw`` keys (among ``keys``)
    are as ``write_raw`` stored them, never decoded by the cache."""
    client = _redis_client()
    if client is None:
        found = cache.get_many(keys) if keys else {}
        return found, (count(*counter) if counter else None)
    counter_key, lifetime = counter or ("-", 0)
    made = [cache.make_key(k) for k in (counter_key, *keys)]
    reply = _run_script(client, made, lifetime)
    found = {
        key: value if key in raw else cache.client.decode(value)
        for key, value in zip(keys, reply[1:], strict=True)
        if value is not None
    }
    return found, (int(reply[0]) if counter else None)


def write_raw(key: str, value: bytes, lifetime: int) -> None:
    """Stores ``value`` as these bytes in Redis (unpickled, for ``read_and_count(raw=...)``);
    with another cache, as that cache stores a value of its own process."""
    client = _redis_client()
    if client is None:
        cache.set(key, value, timeout=lifetime)
    else:
        client.set(cache.make_key(key), value, ex=lifetime)


def add_raw(key: str, value: bytes, lifetime: int) -> bool:
    """Stores ``value`` as ``write_raw`` does, only when ``key`` holds nothing yet."""
    client = _redis_client()
    if client is None:
        return cache.add(key, value, timeout=lifetime)
    return bool(client.set(cache.make_key(key), value, ex=lifetime, nx=True))


def write_raw_many(values: dict[str, bytes], lifetime: int) -> None:
    """``write_raw`` for many keys, in one round trip."""
    client = _redis_client()
    if client is None:
        cache.set_many(values, timeout=lifetime)
        return
    pipe = client.pipeline(transaction=False)
    for key, value in values.items():
        pipe.set(cache.make_key(key), value, ex=lifetime)
    pipe.execute()


def count(key: str, lifetime: int) -> int:
    """Adds one to the counter ``key``, created with ``lifetime`` seconds to live."""
    for _ in range(3):
        try:
            return cache.incr(key)
        except ValueError:  # the first count, or the counter has just expired
            if cache.add(key, 1, timeout=lifetime):
                return 1
    raise RuntimeError(f"the counter {key} could not be counted")


def _run_script(client, keys: list, lifetime: int) -> list:
    """Runs the script on one of the client's pooled connections: one command, one reply.

    This goes round redis-py's generic command path (retries, metrics, option handling), which
    cost as much CPU as the round trip itself. The pool still checks a connection before handing
    it out and connects afresh one that Redis closed (a restart), and a connection that fails
    part-way is disconnected, so nothing half-read goes back to the pool. The script goes by its
    digest (EVALSHA), so Redis compiles it once, and in full (EVAL) only when Redis does not
    know it, after a restart.
    """
    pool = client.connection_pool
    connection = pool.get_connection()
    try:
        try:
            connection.send_command("EVALSHA", _SHA, len(keys), *keys, lifetime)
            return connection.read_response()
        except NoScriptError:
            connection.send_command("EVAL", _READ_AND_COUNT, len(keys), *keys, lifetime)
            return connection.read_response()
    finally:
        pool.release(connection)


def _redis_client():
    """The Redis connection behind django-redis, or None with another cache backend."""
    get_client = getattr(getattr(cache, "client", None), "get_client", None)
    if get_client is None or not hasattr(cache.client, "decode"):
        return None
    return get_client(write=True)
