"""Every public page type sends the security headers, a matching nonce and Cache-Control.

The page types are those of the browser suite (tests/browser/pages.py), the 500 and
429 pages included, on the demo data.
"""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings

from tests.browser import urls as browser_urls
from tests.browser.pages import page_params, page_url


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        # Flush first: on PostgreSQL it also restarts the id sequences, so the demo's
        # change log and previews have the ids tests/browser/pages.py names.
        call_command("flush", interactive=False, verbosity=0)
        call_command("load_demo_data", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()


@pytest.fixture
def visitor(demo_data, db):
    with override_settings(
        ROOT_URLCONF="tests.browser.urls",
        RATE_LIMITS={**settings.RATE_LIMITS, **browser_urls.RATE_LIMITS},
        DEBUG=False,
    ):
        yield Client(raise_request_exception=False)


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def visit(visitor, entry):
    """The page as its visitor sees it: previews are for signed-in council staff."""
    if entry.signed_in_as:
        from django.contrib.auth import get_user_model

        visitor.force_login(get_user_model().objects.get(username=entry.signed_in_as))
    return visitor.get(page_url(entry))


@page_params
def test_page_sends_the_security_headers(visitor, entry):
    response = visit(visitor, entry)
    assert response.status_code == entry.status
    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert not any(
        value in ("'unsafe-inline'", "'unsafe-eval'")
        for values in csp.values()
        for value in values
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@page_params
def test_page_nonces_match_the_policys_nonce(visitor, entry):
    response = visit(visitor, entry)
    csp = directives(response["Content-Security-Policy"])
    header_nonces = {
        value[len("'nonce-") : -1]
        for value in csp["script-src"]
        if value.startswith("'nonce-")
    }
    page_nonces = set(re.findall(r'\bnonce="([^"]*)"', response.text))
    assert len(header_nonces) == 1
    assert page_nonces == header_nonces


@page_params
def test_page_is_never_stored_by_shared_caches(visitor, entry):
    response = visit(visitor, entry)
    cache_control = {
        part.strip() for part in response.get("Cache-Control", "").split(",")
    }
    assert "private" in cache_control or "no-store" in cache_control
    assert cache_control & {"no-cache", "no-store"}
    assert "public" not in cache_control


def test_two_requests_get_different_nonces(visitor):
    first = visitor.get("/")["Content-Security-Policy"]
    second = visitor.get("/")["Content-Security-Policy"]
    assert first != second
