"""Search, filters, downloads and sign-in are rate-limited per client address."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
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
