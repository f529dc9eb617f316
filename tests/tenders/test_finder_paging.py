"""The finder at scale: "soonest" pages read in two parts, and paging stops at a
depth the page explains."""

import pytest
from django.urls import reverse

from councils.paging import MAX_PAGES
from tenders.models import Tender
from tests.factories import CouncilFactory, TenderFactory, future_year

pytestmark = pytest.mark.django_db
LIST = reverse("tenders:tender-list")
YEAR = future_year()


def titles(response):
    return [tender.title for tender in response.context["tenders"]]


def test_soonest_pages_run_on_from_windows_to_come_into_those_that_are_over(client):
    # 13 windows to come (one with unknown dates) and 14 that are over: page 1
    # ends 7 rows into the windows that are over, page 2 carries on from there.
    for number in range(12):
        TenderFactory(
            title=f"To come {number:02d}",
            procurement_activity=f"{['Spring', 'Autumn'][number % 2]} {YEAR}",
        )
    TenderFactory(title="To come, dates unknown", procurement_activity="TBC")
    for number in range(14):
        TenderFactory(
            title=f"Over {number:02d}", procurement_activity=f"Spring {2001 + number}"
        )
    expected = [t.title for t in Tender.live.visible().soonest()]

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert titles(first) + titles(second) == expected
    assert titles(first)[12:14] == ["To come, dates unknown", "Over 00"]
    assert first.context["paginator"].count == 27


def test_soonest_contract_start_pages_split_on_the_contract_window(client):
    for number in range(15):
        TenderFactory(title=f"Starts later {number:02d}", commencement=f"{YEAR + 1}")
    for number in range(10):
        TenderFactory(title=f"Started {number:02d}", commencement=f"{2001 + number}")
    expected = [t.title for t in Tender.live.visible().soonest("commencement")]

    pages = [client.get(LIST, {"sort": "commencement", "page": n}) for n in (1, 2)]

    assert titles(pages[0]) + titles(pages[1]) == expected
    assert titles(pages[1])[0] == "Started 05"


def test_paging_stops_at_a_bounded_depth_and_says_so(client, settings, monkeypatch):
    monkeypatch.setattr("councils.paging.BoundedPaginator.max_pages", 2)
    council = CouncilFactory(slug="big")
    for number in range(45):
        TenderFactory(council=council, title=f"Tender {number:02d}")

    last = client.get(LIST, {"page": 2})
    beyond = client.get(LIST, {"page": 3})

    assert last.status_code == 200
    assert "Only the first 2 pages (40 results) can be paged through" in last.text
    assert last.context["paginator"].count == 45
    assert beyond.status_code == 400
    assert "Only the first 2 pages (40 results) can be paged through" in beyond.text
    assert "Go to the first page of results" in beyond.text


def test_a_short_list_says_nothing_about_paging_depth(client):
    TenderFactory()
    assert MAX_PAGES == 50
    assert "can be paged through" not in client.get(LIST).text
