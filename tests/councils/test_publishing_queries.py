"""Public pages run the same number of queries however many versions and changes
are stored: each test grows the very rows the page shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.publishing import publish, working_copy_save
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    client.get(url)  # warm caches such as ContentType's
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def republish(section, times):
    for number in range(times):
        section.body = f"{section.body} Change {number}."
        working_copy_save(obj=section, user=None)
        publish(obj=section, user=None, major=True, note=f"Change {number}")


@pytest.mark.parametrize(
    "url_of",
    [
        lambda section: section.get_absolute_url(),
        lambda section: section.council.get_absolute_url(),
        lambda section: reverse("councils:council-print", args=[section.council.slug]),
        lambda section: reverse("councils:compare", args=[section.heading.slug]),
        lambda section: reverse("home"),
    ],
    ids=["section", "council", "print", "compare", "home"],
)
def test_page_queries_do_not_grow_with_versions(client, gateshead, url_of):
    section = SectionFactory(council=gateshead, body="Version")
    url = url_of(section)
    one = queries(client, url)
    republish(section, 12)
    assert queries(client, url) == one


@pytest.mark.parametrize(
    "url_of",
    [
        lambda council: reverse("councils:change-list"),
        lambda council: reverse("councils:council-changes", args=[council.slug]),
        lambda council: reverse("councils:change-feed"),
    ],
    ids=["changes", "council-changes", "feed"],
)
def test_change_log_queries_do_not_grow_with_changes(client, gateshead, url_of):
    section = SectionFactory(council=gateshead, body="Version")
    url = url_of(gateshead)
    one = queries(client, url)
    republish(section, 12)
    for _ in range(5):
        republish(SectionFactory(council=gateshead), 1)
    page = client.get(url).content.decode()
    assert page.count("Change 0") >= 6
    assert queries(client, url) == one
