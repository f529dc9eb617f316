"""The cache backends tests run against: the per-process memory cache, and a real
Redis (skipped when none answers, unless ``CACHE_URL`` names one, as in CI)."""

import os
from contextlib import contextmanager

import pytest

# The Redis database the tests empty: CACHE_URL's in CI; TEST_REDIS_URL names
# another, so that two runs on one machine do not empty each other's.
TEST_REDIS_URL = (
    os.environ.get("CACHE_URL")
    or os.environ.get("TEST_REDIS_URL")
    or "redis://127.0.0.1:6379/4"
)


def redis_answers(url: str) -> bool:
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@contextmanager
def cache_backend(settings, name: str, key_prefix: str = "mps-test"):
    """Use the ``memory`` or ``redis`` cache, empty, for the duration."""
    if name == "redis":
        if not redis_answers(TEST_REDIS_URL):
            if os.environ.get("CACHE_URL"):
                pytest.fail(f"CACHE_URL={TEST_REDIS_URL} does not answer")
            pytest.skip(f"no Redis at {TEST_REDIS_URL}")
        settings.CACHES = {
            "default": {
                "BACKEND": "mps_portal.cache.RedisCache",
                "LOCATION": TEST_REDIS_URL,
                "KEY_PREFIX": key_prefix,
            }
        }
    else:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        }
    from django.core.cache import cache

    cache.clear()
    yield name
    cache.clear()
