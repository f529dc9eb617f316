"""Search, filters, downloads and sign-in are rate-limited per client address."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings, one_rate_limit_window):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "search": {**settings.RATE_LIMITS["search"], "limit": 3},
        "downloads": {**settings.RATE_LIMITS["downloads"], "limit": 2},
        "login": {**settings.RATE_LIMITS["login"], "limit": 2},
    }


def get(client, url, address="203.0.113.7", **kwargs):
    return client.get(url, REMOTE_ADDR=address, **kwargs)


@pytest.mark.parametrize(
    "url",
    [
        "/opportunities/?q=care",
        "/opportunities/?council=gateshead&sort=commencement",
        "/opportunities/arrangements/",
        "/services/?q=home",
    ],
)
def test_search_past_the_limit_gets_429_with_retry_after(
    client, small_limits, gateshead, url
):
    for _ in range(3):
        assert get(client, url).status_code == 200
    response = get(client, url)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Sorry, you have made too many requests" in response.text
    assert 'class="govuk-heading-l"' in response.text


@pytest.mark.parametrize(
    "name",
    [
        "tenders:tender-list-csv",
        "tenders:tender-list-json",
        "tenders:tender-list-ocds",
        "tenders:tender-feed",
        "tenders:arrangement-list-csv",
        "providers:service-list-csv",
    ],
)
def test_downloads_past_the_limit_get_429(client, small_limits, name):
    url = reverse(name)
    for _ in range(2):
        assert get(client, url).status_code != 429
    assert get(client, url).status_code == 429


def test_another_address_has_its_own_count(client, small_limits):
    for _ in range(4):
        get(client, "/opportunities/")
    assert get(client, "/opportunities/", address="198.51.100.1").status_code == 200


def test_pages_outside_the_groups_are_not_limited(client, small_limits):
    for _ in range(6):
        assert get(client, "/accessibility/").status_code == 200


def test_sign_in_attempts_are_limited_per_address(client, small_limits):
    for n in range(2):
        client.post(
            reverse("admin:login"),
            {"username": f"user-{n}", "password": "x"},
            REMOTE_ADDR="203.0.113.7",
        )
    response = client.post(
        reverse("admin:login"),
        {"username": "user-3", "password": "x"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 429
    assert "Retry-After" in response
    # Showing the form is not an attempt.
    assert get(client, reverse("admin:login")).status_code == 200


def download_url_names(patterns=None, namespace=""):
    """Every URL name whose address is a download (.csv, .json) or a feed."""
    from django.urls import URLResolver, get_resolver

    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from download_url_names(pattern.url_patterns, inner)
        elif pattern.name and any(
            mark in str(pattern.pattern) for mark in (".csv", ".json", "feed/")
        ):
            yield f"{namespace}{pattern.name}"


def test_every_download_is_rate_limited(settings):
    names = set(download_url_names())
    assert "tenders:tender-list-csv" in names
    missing = names - set(settings.RATE_LIMITS["downloads"]["urls"])
    assert not missing, f"Add these to RATE_LIMITS['downloads']: {sorted(missing)}"


@pytest.fixture(params=["memory", "redis"])
def any_cache(request, settings):
    """The per-process memory cache, and a real Redis (as in production)."""
    from tests.caches import cache_backend

    with cache_backend(settings, request.param, key_prefix="mps-test-limits") as name:
        yield name


def test_counts_are_kept_in_the_cache_per_window_and_expire(any_cache, time_machine):
    from django.core.cache import cache

    from mps_portal.limits import count_hit

    time_machine.move_to("2030-01-01 12:00:10+00:00", tick=False)
    assert [count_hit("test:203.0.113.7", limit=2, window=60) for _ in range(3)] == [
        0,
        0,
        50,  # the seconds left in the window
    ]
    key = f"ratelimit:test:203.0.113.7:{1893499200}"
    # Stored as the cache API stores a number, so both paths read each other's.
    assert cache.get(key) == 3
    if any_cache == "redis":
        client = cache._cache.get_client(write=True)
        ttl = client.ttl(cache.make_and_validate_key(key))
        assert 0 < ttl <= 61
    # Another address, and the next window, start again.
    assert count_hit("test:198.51.100.1", limit=2, window=60) == 0
    time_machine.move_to("2030-01-01 12:01:00+00:00", tick=False)
    assert count_hit("test:203.0.113.7", limit=2, window=60) == 0
