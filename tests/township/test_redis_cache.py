"""The Redis cache backend the web processes share (CACHE_URL), against the real server."""

import threading

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis://"), reason="needs Redis (CI)"
)


@pytest.fixture
def redis_cache(settings):
    # The broker's server, another database: the figures and sessions of a real deployment.
    url = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/13"
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "township.caches.RedisCache", "LOCATION": url, "KEY_PREFIX": "t"},
    }
    cache = caches["shared"]
    cache.clear()
    yield cache
    cache.clear()


def test_values_written_by_one_process_are_read_by_another(redis_cache):
    from township.caches import RedisCache

    redis_cache.set("figures", {"exited": 12, "rate": "1.5"}, 60)
    redis_cache.set_many({"a": 1, "b": [1, 2]})
    assert redis_cache.incr("a") == 2
    other = RedisCache(redis_cache._servers, {"KEY_PREFIX": "t"})
    assert other.get("figures") == {"exited": 12, "rate": "1.5"}
    assert other.get_many(["a", "b", "c"]) == {"a": 2, "b": [1, 2]}
    other.delete("figures")
    assert redis_cache.get("figures") is None
    assert redis_cache.add("figures", 1) and not redis_cache.add("figures", 2)


def test_one_client_is_kept_and_shared_by_threads(redis_cache):
    client = redis_cache._cache.get_client("k")
    assert redis_cache._cache.get_client("k", write=True) is client
    errors = []

    def work(n):
        try:
            for i in range(50):
                redis_cache.set(f"k{n}", i)
                assert redis_cache.get(f"k{n}") == i
        except AssertionError as error:  # pragma: no cover - shown if it happens
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert redis_cache.get_many([f"k{n}" for n in range(4)]) == {f"k{n}": 49 for n in range(4)}
