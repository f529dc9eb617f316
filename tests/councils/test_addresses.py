"""Rows' addresses (``councils.addresses``) are exactly what ``reverse()`` gives.

The pattern is reversed once and plain values joined into it; these check the
values it must not join (ones ``reverse()`` quotes or refuses), the script prefix,
and a URLconf other than the root one.
"""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import (
    NoReverseMatch,
    include,
    path,
    reverse,
    set_script_prefix,
    set_urlconf,
)

from councils.addresses import address
from tests.factories import ArrangementFactory, TenderFactory

pytestmark = pytest.mark.django_db

# A URLconf of its own for one test: the portal's council URLs under another path.
urlpatterns = [path("elsewhere/", include("councils.urls"))]

AWKWARD = [
    "plain-slug_1",
    "42",
    7,
    0,
    "With.Dot~",
    "two/parts",
    ".",
    "..",
    "a b",
    "café",
    "100%",
    "a?b#c",
    "a:b@c",
    "/leading",
    "trailing/",
    "a//b",
    "",
    -5,
    "-5",
    None,
    True,
]
# URL names and their arguments, one of each converter the portal uses.
PATTERNS = [
    ("councils:council-detail", ("slug",)),
    ("councils:section-detail", ("slug", "heading_slug")),
    ("tenders:tender-detail", ("council_slug", "reference")),
    ("tenders:arrangement-detail", ("council_slug", "pk")),
    ("providers:service-detail", ("pk",)),
    ("councils:change-detail", ("pk",)),
    ("home", ()),
]


def reversed_or_refused(function, name, kwargs):
    try:
        return function(name, kwargs)
    except NoReverseMatch:
        return "refused"


def as_reverse(name, kwargs):
    return reverse(name, kwargs=kwargs)


def as_address(name, kwargs):
    return address(name, **kwargs)


def every_case():
    for name, arguments in PATTERNS:
        if not arguments:
            yield name, {}
        for argument in arguments:
            for value in AWKWARD:
                # The other arguments plain, so each value is what decides.
                yield name, {a: value if a == argument else "x1" for a in arguments}


@pytest.mark.parametrize("prefix", ["/", "/portal/", "/mps portal/", "/100%/", "//"])
def test_every_address_is_what_reverse_gives_whatever_the_value_and_prefix(prefix):
    set_script_prefix(prefix)
    try:
        for name, kwargs in every_case():
            assert reversed_or_refused(as_address, name, kwargs) == reversed_or_refused(
                as_reverse, name, kwargs
            ), (prefix, name, kwargs)
    finally:
        set_script_prefix("/")


def test_an_address_refused_by_reverse_raises_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        address("providers:service-detail", pk="not-a-number")
    with pytest.raises(NoReverseMatch):
        address("councils:council-detail", slug="no spaces")
    with pytest.raises(NoReverseMatch):
        address("councils:council-detail", wrong_name="x")


def test_addresses_follow_the_urlconf_of_the_request():
    set_urlconf(__name__)
    try:
        assert address("councils:council-detail", slug="gateshead") == (
            "/elsewhere/councils/gateshead/"
        )
    finally:
        set_urlconf(None)
    assert address("councils:council-detail", slug="gateshead") == (
        "/councils/gateshead/"
    )


def wsgi_get(path: str, script_name: str = "") -> str:
    """A page through the WSGI application, as gunicorn serves it (the test client
    leaves the script prefix alone), keeping the test's database connection open
    as the test client does (``close_old_connections`` kept from the request's
    start and end); the script prefix is put back afterwards."""
    environ = RequestFactory().get(path).environ | {"SCRIPT_NAME": script_name}
    statuses = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        try:
            page = b"".join(body).decode()
        finally:
            body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        set_script_prefix("/")
    assert statuses == ["200 OK"]
    return page


def test_council_page_links_follow_the_script_name(gateshead):
    TenderFactory(council=gateshead, reference="GC-1")
    arrangement = ArrangementFactory(council=gateshead)
    page = wsgi_get("/councils/gateshead/", script_name="/mps")
    assert 'href="/mps/opportunities/gateshead/GC-1/"' in page
    assert f'href="/mps/opportunities/arrangements/gateshead/{arrangement.pk}/"' in page
    # The next request, with no script name, is not given the other's addresses.
    page = wsgi_get("/councils/gateshead/")
    assert 'href="/opportunities/gateshead/GC-1/"' in page


def test_council_page_links_a_tender_whose_reference_needs_quoting(client, gateshead):
    TenderFactory(council=gateshead, reference="GC 1/é")
    response = client.get("/councils/gateshead/")
    assert 'href="/opportunities/gateshead/GC%201/%C3%A9/"' in response.text
