"""The shared cache is Django's Redis backend, with one Redis client per pool
(mps_portal/cache.py) instead of one per cache call."""

import threading

import pytest
from django.core.cache import cache, caches

from tests.caches import cache_backend


@pytest.fixture
def redis_cache(settings):
    with cache_backend(settings, "redis", key_prefix="mps-test-client"):
        yield cache


def counted_clients(monkeypatch, backend) -> list:
    """The Redis clients the backend makes from now on."""
    made = []
    make = backend._cache._client

    def counting(*args, **kwargs):
        client = make(*args, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(backend._cache, "_client", counting)
    return made


def test_many_cache_calls_make_one_redis_client(redis_cache, monkeypatch):
    backend = caches.create_connection("default")  # new, no client made yet
    made = counted_clients(monkeypatch, backend)

    for number in range(20):
        backend.set(f"key-{number}", number)
        assert backend.get(f"key-{number}") == number
    assert backend.get_many(["key-1", "key-2"]) == {"key-1": 1, "key-2": 2}
    assert backend.add("key-1", "other") is False
    assert backend.incr("key-3") == 4

    assert len(made) == 1


def test_threads_share_the_cache_and_see_each_others_writes(redis_cache):
    errors = []

    def work(number):
        from django.core.cache import cache as threads_cache

        try:
            for step in range(50):
                threads_cache.set(f"thread-{number}-{step}", (number, step))
                assert threads_cache.get(f"thread-{number}-{step}") == (number, step)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert redis_cache.get("thread-7-49") == (7, 49)


def test_production_uses_the_reusing_backend():
    from mps_portal.cache import RedisCache
    from tests.test_settings import PRODUCTION_ENV, manage

    result = manage(
        "shell",
        "-c",
        "from django.core.cache import caches; cache = caches['default']; "
        "print(type(cache).__module__, "
        "type(cache).__name__)",
        env=PRODUCTION_ENV,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        RedisCache.__module__,
        RedisCache.__name__,
    ]
