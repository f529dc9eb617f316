"""The public opportunity finder: filters, sorts, facets, bad input and paging."""

import datetime
import time

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils import finders
from councils.models import Council, TypeOfCare
from councils.pagecache import current_version
from councils.publishing import publish
from tenders.filters import TenderFilter
from tenders.models import Tender
from tests.factories import CouncilFactory, TenderFactory, future_year

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db
LIST = reverse("tenders:tender-list")


def titles(response):
    return [tender.title for tender in response.context["tenders"]]


def test_finder_lists_visible_tenders_with_council_window_and_status(client, gateshead):
    TenderFactory(
        council=gateshead,
        title="Extra care in Felling",
        procurement_activity=f"Spring {YEAR}",
        commencement=f"April {YEAR + 1}",
    )
    TenderFactory(council=gateshead, title="Secret", status=Tender.Status.WITHDRAWN)
    response = client.get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["Extra care in Felling"]
    for text in ("Gateshead Council", f"Spring {YEAR}", f"April {YEAR + 1}", "Planned"):
        assert text in response.text


def test_several_councils_can_be_chosen_at_once(client, gateshead, darlington):
    TenderFactory(council=gateshead, title="Gateshead tender")
    TenderFactory(council=darlington, title="Darlington tender")
    TenderFactory(title="Elsewhere tender")
    response = client.get(LIST, {"council": ["gateshead", "darlington"]})
    assert sorted(titles(response)) == ["Darlington tender", "Gateshead tender"]


def test_type_of_care_and_client_group_filters_do_not_repeat_rows(
    client, reablement, home_care, older_people
):
    TenderFactory(
        title="Both",
        types_of_care=[reablement, home_care],
        client_groups=[older_people],
    )
    TenderFactory(title="Reablement only", types_of_care=[reablement])
    TenderFactory(title="Neither")
    response = client.get(LIST, {"type_of_care": ["reablement", "domiciliary-care"]})
    assert sorted(titles(response)) == ["Both", "Reablement only"]
    response = client.get(LIST, {"client_group": "older-people"})
    assert titles(response) == ["Both"]


def test_status_and_open_for_bids_now(client):
    TenderFactory(title="Open one", status=Tender.Status.OPEN)
    TenderFactory(title="Planned one")
    TenderFactory(title="Awarded one", status=Tender.Status.AWARDED)
    assert titles(client.get(LIST, {"open_now": "yes"})) == ["Open one"]
    response = client.get(LIST, {"status": ["planned", "awarded"]})
    assert sorted(titles(response)) == ["Awarded one", "Planned one"]


def test_keyword_search_needs_every_word_in_title_or_description(client):
    TenderFactory(title="Reablement service", description="Countywide support")
    TenderFactory(title="Hoists and slings", description="Equipment")
    TenderFactory(title="Reablement beds", description="In care homes")
    response = client.get(LIST, {"q": "reablement countywide"})
    assert titles(response) == ["Reablement service"]
    assert sorted(titles(client.get(LIST, {"q": "REABLEMENT"}))) == [
        "Reablement beds",
        "Reablement service",
    ]


def test_procurement_range_matches_windows_that_overlap_it(client):
    TenderFactory(title="Spring", procurement_activity=f"Spring {YEAR}")
    TenderFactory(title="Autumn", procurement_activity=f"Autumn {YEAR}")
    TenderFactory(title="Unknown", procurement_activity="TBC")
    response = client.get(
        LIST, {"procurement_from": f"April {YEAR}", "procurement_to": f"{YEAR}-06-30"}
    )
    assert titles(response) == ["Spring"]


def test_soonest_sorts_put_windows_that_are_over_last(client):
    TenderFactory(title="Past", procurement_activity="Spring 2001", commencement="2002")
    TenderFactory(
        title="Next", procurement_activity=f"Spring {YEAR}", commencement=f"{YEAR + 1}"
    )
    TenderFactory(
        title="Later",
        procurement_activity=f"Spring {YEAR + 1}",
        commencement=f"{YEAR + 2}",
    )
    TenderFactory(title="Unknown", procurement_activity="TBC", commencement="TBC")

    assert titles(client.get(LIST)) == ["Next", "Later", "Unknown", "Past"]
    assert titles(client.get(LIST, {"sort": "commencement"})) == [
        "Next",
        "Later",
        "Unknown",
        "Past",
    ]
    assert titles(client.get(LIST, {"sort": "title"})) == [
        "Later",
        "Next",
        "Past",
        "Unknown",
    ]


def test_planned_tenders_whose_date_has_passed_are_marked(client):
    TenderFactory(title="Stale plan", procurement_activity="Spring 2001")
    TenderFactory(title="Future plan", procurement_activity=f"Spring {YEAR}")
    TenderFactory(
        title="Awarded long ago", procurement_activity="Spring 2001", status="awarded"
    )
    response = client.get(LIST, {"sort": "title"})
    results = response.text.split('class="app-tender-result')[1:]
    marked = {
        result.split("</a>")[0].rsplit(">", 1)[1]: "Date has passed" in result
        for result in results
    }
    assert marked == {
        "Awarded long ago": False,
        "Future plan": False,
        "Stale plan": True,
    }


def test_commencement_range_filters_on_contract_start(client):
    TenderFactory(title="Starts April", commencement=f"April {YEAR + 1}")
    TenderFactory(title="Starts October", commencement=f"October {YEAR + 1}")
    response = client.get(LIST, {"commencement_from": f"{YEAR + 1}-09-01"})
    assert titles(response) == ["Starts October"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("procurement", ["Bravo", "Alpha", "Charlie"]),
        ("commencement", ["Charlie", "Bravo", "Alpha"]),
        ("title", ["Alpha", "Bravo", "Charlie"]),
        ("newest", ["Charlie", "Bravo", "Alpha"]),
    ],
)
def test_sorts(client, sort, expected):
    TenderFactory(
        title="Alpha", procurement_activity=f"Autumn {YEAR}", commencement=f"{YEAR + 2}"
    )
    TenderFactory(
        title="Bravo", procurement_activity=f"Spring {YEAR}", commencement=f"{YEAR + 1}"
    )
    TenderFactory(title="Charlie", procurement_activity="TBC", commencement=f"{YEAR}")
    assert titles(client.get(LIST, {"sort": sort})) == expected


@pytest.mark.parametrize("sort", ["procurement", "commencement"])
def test_a_first_page_the_windows_to_come_cannot_fill_goes_on_to_the_others(
    client, sort
):
    # More results than a page: the first page is read from the windows still to
    # come, then the undated and those that are over, each in its own order.
    TenderFactory(
        title="Next", procurement_activity=f"Spring {YEAR}", commencement=f"{YEAR + 1}"
    )
    TenderFactory(title="Undated B", procurement_activity="TBC", commencement="TBC")
    TenderFactory(title="Undated A", procurement_activity="TBC", commencement="TBC")
    for year in range(1990, 2012):
        TenderFactory(
            title=f"Over {year}",
            procurement_activity=f"Spring {year}",
            commencement=str(year + 1),
        )
    first = titles(client.get(LIST, {"sort": sort}))
    second = titles(client.get(LIST, {"sort": sort, "page": 2}))
    over = [f"Over {year}" for year in range(1990, 2012)]
    assert first == ["Next", "Undated A", "Undated B", *over[:17]]
    assert second == over[17:]


def test_default_order_is_soonest_procurement_with_unknown_dates_last(client):
    TenderFactory(title="Unknown", procurement_activity="TBC")
    TenderFactory(title="Later", procurement_activity=f"Winter {YEAR + 1}")
    TenderFactory(title="Sooner", procurement_activity=f"Q1 {YEAR}")
    assert titles(client.get(LIST)) == ["Sooner", "Later", "Unknown"]


def test_facet_counts_ignore_the_facets_own_choice(client, gateshead, darlington):
    TenderFactory(council=gateshead)
    TenderFactory(council=gateshead)
    TenderFactory(council=darlington, status=Tender.Status.OPEN)
    response = client.get(LIST, {"council": "gateshead"})
    assert "Gateshead Council (2)" in response.text
    assert "Darlington Borough Council (1)" in response.text
    # Status counts do apply the council choice.
    assert "Open for bids (0)" in response.text
    assert "Planned (2)" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"council": "atlantis"}, "There is no council “atlantis”"),
        ({"type_of_care": "juggling"}, "There is no type of care “juggling”"),
        ({"status": "withdrawn"}, "There is no status “withdrawn”"),
        (
            {"procurement_from": f"31/02/{YEAR}"},
            "Enter a real date for “Procurement from”",
        ),
        ({"commencement_to": "soon"}, "Enter a real date for “Contract starts to”"),
        (
            {
                "procurement_from": f"{YEAR + 1}-01-01",
                "procurement_to": f"{YEAR}-01-01",
            },
            "The end of the procurement range must be the same as or after its start",
        ),
        ({"sort": "random"}, "Choose how to sort from the list"),
    ],
)
def test_bad_filters_get_an_error_summary_and_status_400(client, query, message):
    TenderFactory()
    response = client.get(LIST, query)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert "<title>Error: " in response.text
    assert list(response.context["tenders"]) == []


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("abc", "“abc” is not a page number"),
        ("99999", "There is no page 99999"),
        ("0", "There is no page 0"),
    ],
)
def test_bad_page_numbers_are_explained_with_status_400(client, page, message):
    TenderFactory()
    response = client.get(LIST, {"page": page, "council": []})
    assert response.status_code == 400
    assert message in response.text
    assert "Go to the first page of results" in response.text


def test_second_page_keeps_the_filters(client):
    council = CouncilFactory(slug="big")
    for number in range(21):
        TenderFactory(council=council, title=f"Tender {number:02d}")
    response = client.get(LIST, {"council": "big", "sort": "title", "page": 2})
    assert response.status_code == 200
    assert titles(response) == ["Tender 20"]
    assert "council=big" in response.text


def test_list_page_links_its_atom_feed_with_the_same_filters(client, gateshead):
    response = client.get(LIST, {"council": "gateshead"})
    feed = reverse("tenders:tender-feed")
    assert (
        f'<link rel="alternate" type="application/atom+xml" '
        f'title="Tender opportunities (Atom feed)" href="{feed}?council=gateshead">'
    ) in response.text


def query_count(client, query):
    # The content version the facet counts are kept under is worked out once
    # after a write (asking for the next scheduled publication), not per page.
    current_version()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, query)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {
            "council": "gateshead",
            "type_of_care": "reablement",
            "q": "care",
            "sort": "title",
        },
    ],
)
def test_list_queries_do_not_grow_with_rows(
    client, gateshead, reablement, query, uncached
):
    TenderFactory(council=gateshead, types_of_care=[reablement])
    one = query_count(client, query)
    for _ in range(49):
        TenderFactory(council=gateshead, types_of_care=[reablement])
    many = query_count(client, query)
    # Never more with more rows. Fewer, on SQLite, when the windows still to
    # come fill the first page: it is read from them alone, where SQLite reads
    # every part of the soonest order in a query of its own.
    assert many <= one
    # Keywords add two (on the first request after a change): the names of
    # types of care, searched as phrases, and the matching ids, each looked up
    # once and kept however many facets use them.
    assert one <= (12 if "q" in query else 11)


def test_facet_counts_follow_a_new_tender_at_once(client, gateshead, reablement):
    TenderFactory(council=gateshead, types_of_care=[reablement])
    assert "Reablement (1)" in client.get(LIST).text
    assert "Reablement (1)" in client.get(LIST, {"sort": "title"}).text

    TenderFactory(council=gateshead, types_of_care=[reablement])

    page = client.get(LIST).text
    assert "Reablement (2)" in page
    assert "Gateshead Council (2)" in page
    assert "2 opportunities" in page


def test_facet_counts_follow_a_withdrawal_at_once(client, gateshead, reablement):
    _, withdrawn = (
        TenderFactory(council=gateshead, types_of_care=[reablement]) for _ in range(2)
    )
    assert "Reablement (2)" in client.get(LIST, {"council": "gateshead"}).text

    Tender._base_manager.filter(live_of=withdrawn).update(
        status=Tender.Status.WITHDRAWN
    )

    page = client.get(LIST, {"council": "gateshead"}).text
    assert "Reablement (1)" in page
    assert "1 opportunity" in page


def test_facet_counts_take_in_a_scheduled_tender_at_its_time(
    client, gateshead, reablement
):
    TenderFactory(council=gateshead, types_of_care=[reablement])
    due = timezone.now() + datetime.timedelta(seconds=2)
    tender = TenderFactory(
        council=gateshead, types_of_care=[reablement], published=False
    )
    publish(obj=tender, user=None, major=True, publish_at=due)
    assert "Reablement (1)" in client.get(LIST).text
    assert "Reablement (1)" in client.get(LIST).text

    # The content version follows the database's clock, which time-machine
    # cannot move: wait for it.
    while timezone.now() < due + datetime.timedelta(milliseconds=200):
        time.sleep(0.1)

    page = client.get(LIST).text
    assert "Reablement (2)" in page
    assert "2 opportunities" in page


def test_result_rows_are_the_markup_of_the_result_template(client, reablement):
    """``{% tender_results %}`` writes what the included template would, every
    value escaped, whatever the row holds."""
    TenderFactory(
        title='<b>Care & support</b> "o\'clock"',
        reference="A B/1 é",
        service_area="",
        notes="Subject to <review> & budget",
        is_demo=True,
        procurement_activity="Spring 2001",
        types_of_care=[reablement],
    )
    TenderFactory(title="Plain", reference="GC-0001", commencement="TBC")
    rows = finders.with_names(
        list(Tender.live.visible().select_related("council").order_by("title")),
        "types_of_care",
        "care_names",
    )
    looped = Template(
        "{% for tender in tenders %}\n      "
        '{% include "tenders/includes/tender_result.html" %}\n      {% endfor %}'
    ).render(Context({"tenders": rows}))
    written = Template("{% load tenders %}{% tender_results tenders %}").render(
        Context({"tenders": rows})
    )
    assert written == looped
    assert "&lt;b&gt;Care &amp; support" in written
    assert rows[0].get_absolute_url() in written


def test_an_unchosen_facet_is_not_run_as_a_query(gateshead):
    """An empty choice of rows cleans to ``none()``: telling it is empty reads
    nothing (``bool()`` would compile a query on every request)."""
    nothing = Council.objects.none()
    assert not finders.chosen(nothing)
    assert nothing._result_cache is None
    assert finders.chosen(Council.objects.filter(pk=gateshead.pk))
    assert not finders.chosen(Council.objects.filter(pk=-1))
    assert finders.chosen(["open"]) and not finders.chosen([])


def test_a_new_or_renamed_council_or_type_of_care_shows_in_the_facets_at_once(
    client, uncached, gateshead, reablement
):
    """The facets' rows are kept per content version (a page rendered again
    does not read them), and a write to them shows on the next request, on
    every finder."""
    TenderFactory(council=gateshead, types_of_care=[reablement])
    arrangements = reverse("tenders:arrangement-list")
    services = reverse("providers:service-list")
    for path in (LIST, arrangements, services):
        assert "Gateshead Council (" in client.get(path).text
        with CaptureQueriesContext(connection) as again:
            assert "Gateshead Council (" in client.get(path).text
        read = [query["sql"] for query in again.captured_queries]
        assert not [sql for sql in read if 'FROM "councils_council"' in sql], path

    CouncilFactory(name="Sunderland City Council", slug="sunderland")
    TypeOfCare.objects.filter(pk=reablement.pk).update(name="Reablement at home")

    page = client.get(LIST).text
    assert 'value="sunderland"' in page
    assert "Sunderland City Council (0)" in page
    assert "Reablement at home (1)" in page
    assert "Sunderland City Council (0)" in client.get(arrangements).text
    assert "Sunderland City Council (0)" in client.get(services).text


def test_each_request_filters_with_its_own_copy_of_the_filters(gateshead, darlington):
    ours = TenderFactory(council=gateshead)
    theirs = TenderFactory(council=darlington)
    first = TenderFilter(
        data={"council": [gateshead.slug]}, queryset=Tender.live.visible()
    )
    second = TenderFilter(
        data={"council": [darlington.slug]}, queryset=Tender.live.visible()
    )

    for filterset in (first, second):
        for name, filter_ in filterset.filters.items():
            assert filter_ is not TenderFilter.base_filters[name]
            assert filter_.parent is filterset
    # The council filter is a method of the filterset: each finds its own.
    assert [t.live_of_id for t in first.qs] == [ours.pk]
    assert [t.live_of_id for t in second.qs] == [theirs.pk]
    assert not hasattr(TenderFilter.base_filters["council"], "parent")
