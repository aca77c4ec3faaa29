"""Reads and a rate count in one round trip: the same answers from Redis and from the
in-process cache of a development machine."""

import pytest
from django.core.cache import cache

from registry import shared_cache


@pytest.fixture(
    params=[
        pytest.param("locmem", id="in-process"),
        pytest.param("redis", id="redis", marks=pytest.mark.redis),
    ]
)
def backend(request):
    if request.param == "redis":
        request.getfixturevalue("redis_cache")
    return request.param


def test_values_found_and_the_count_after_adding_one(backend):
    cache.set("standing:FR", {"code": "FR", "eligible": True})
    found, count = shared_cache.read_and_count(
        ["standing:FR", "standing:XX"], counter=("calls", 60)
    )
    assert found == {"standing:FR": {"code": "FR", "eligible": True}}
    assert count == 1
    _, count = shared_cache.read_and_count(["standing:FR"], counter=("calls", 60))
    assert count == 2
    assert cache.get("calls") == 2  # the ordinary cache API reads the same counter


def test_reading_without_a_counter_counts_nothing(backend):
    cache.set("a", [1, 2])
    found, count = shared_cache.read_and_count(["a"])
    assert (found, count) == ({"a": [1, 2]}, None)
    assert cache.get("calls") is None


@pytest.mark.redis
def test_a_counter_made_in_redis_expires_with_its_window(redis_cache):
    shared_cache.read_and_count([], counter=("calls", 30))
    assert 0 < cache.ttl("calls") <= 30


@pytest.mark.redis
def test_redis_that_forgot_the_script_is_sent_it_again(redis_cache):
    """After a restart Redis knows no scripts; the first call sends it in full."""
    shared_cache.read_and_count([], counter=("calls", 30))
    shared_cache._redis_client().script_flush()
    cache.set("a", "kept")
    found, count = shared_cache.read_and_count(["a"], counter=("calls", 30))
    assert (found, count) == ({"a": "kept"}, 2)
    _, count = shared_cache.read_and_count(["a"], counter=("calls", 30))
    assert count == 3


@pytest.mark.redis
def test_a_pooled_connection_that_redis_dropped_is_replaced(redis_cache):
    """Redis restarting closes every connection that the pool keeps; the next call still
    answers, and counts once."""
    import redis

    shared_cache.read_and_count([], counter=("calls", 30))
    pool = shared_cache._redis_client().connection_pool
    connection = pool.get_connection()
    connection.send_command("CLIENT", "ID")
    own_id = connection.read_response()
    pool.release(connection)
    kwargs = pool.connection_kwargs
    admin = redis.Redis(host=kwargs["host"], port=kwargs["port"], db=kwargs["db"])
    assert admin.client_kill_filter(_id=own_id) == 1

    _, count = shared_cache.read_and_count([], counter=("calls", 30))
    assert count == 2
