"""The finder at scale: "soonest" pages read in parts (windows to come, dates
unknown, windows over), and paging stops at a depth the page explains."""

import datetime

import pytest
import time_machine
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


# A fixed day, so which windows are under way does not depend on when tests run.
MID_JUNE = datetime.datetime(2030, 6, 15, 12, tzinfo=datetime.UTC)
# (title, procurement activity) in "soonest" order on MID_JUNE: windows under way
# (begun before today, not ended) first, then those to come, then dates unknown,
# then those that are over.
UNDER_WAY_ORDER = [
    ("Calendar 2030", "2030"),
    ("Financial year 2030/31", "2030/31"),
    ("Quarter one 2030/31", "Q1 2030/31"),
    ("June 2030", "June 2030"),
    ("July 2030", "July 2030"),
    ("Financial year 2031/32", "2031/32"),
    ("Dates unknown", "TBC"),
    ("Financial year 2029/30", "2029/30"),
    ("May 2030", "May 2030"),
]


@time_machine.travel(MID_JUNE, tick=False)
def test_windows_under_way_come_first_on_every_page(client, monkeypatch):
    monkeypatch.setattr("tenders.views.TenderListView.paginate_by", 4)
    for title, when in reversed(UNDER_WAY_ORDER):
        TenderFactory(title=title, procurement_activity=when)

    pages = [titles(client.get(LIST, {"page": n})) for n in (1, 2, 3)]

    expected = [title for title, _ in UNDER_WAY_ORDER]
    assert [title for page in pages for title in page] == expected
    assert expected == [t.title for t in Tender.live.visible().soonest()]


@time_machine.travel(datetime.datetime(2028, 3, 31, 12, tzinfo=datetime.UTC))
def test_a_financial_year_with_a_29_february_is_still_to_come_on_its_last_day(
    client,
):
    # 1 April 2027 to 31 March 2028 is the longest window a published date gives.
    TenderFactory(title="Whole year", procurement_activity="2027/28")
    TenderFactory(title="Ended yesterday", procurement_activity="30/03/2028")
    TenderFactory(title="Next month", procurement_activity="April 2028")

    assert titles(client.get(LIST)) == ["Whole year", "Next month", "Ended yesterday"]
    assert "Whole year" in client.get(reverse("home")).text
