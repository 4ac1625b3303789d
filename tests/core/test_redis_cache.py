"""The Redis cache backend (partnerships/core/cache.py) against the real Redis: Django's own
behaviour, with one client per connection pool."""

import os

import pytest

from partnerships.core.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at REDIS_URL")
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": "test-redis-cache"})
    yield backend
    backend.clear()


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client("some-key") is client


def test_behaves_as_djangos_redis_cache(redis_cache):
    assert redis_cache.add("generation", 1, timeout=None)
    assert not redis_cache.add("generation", 5)
    assert redis_cache.incr("generation") == 2
    redis_cache.set_many({"a": ("page", "text/html"), "b": b"bytes"}, 30)
    assert redis_cache.get_many(["a", "b", "missing"]) == {
        "a": ("page", "text/html"),
        "b": b"bytes",
    }
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"


def test_reads_go_to_the_replicas_writes_to_the_first_server():
    backend = RedisCache(f"{REDIS_URL},{REDIS_URL}", {})
    writer = backend._cache.get_client(write=True)
    readers = {backend._cache.get_client() for _ in range(20)}
    assert writer.connection_pool is backend._cache._pools[0]
    assert [reader.connection_pool for reader in readers] == [backend._cache._pools[1]]
