"""Site search at /search/: ranking, highlighting, filters, paging, what is public,
keeping the index current, and bad input. Runs on SQLite (FTS5) and PostgreSQL."""

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils import pagecache, search
from councils.models import Council, SearchDocument, Section
from councils.paging import BoundedPaginator
from councils.publishing import archive, publish, working_copy_save
from tenders.models import Tender
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    CommissioningIntentionFactory,
    IndicatorFactory,
    SectionFactory,
    TenderFactory,
    TypeOfCareFactory,
)

pytestmark = pytest.mark.django_db
SEARCH = reverse("councils:search")


def titles(response) -> list[str]:
    return [document.title for document in response.context["documents"]]


def test_every_page_has_a_search_box_in_its_header(client):
    text = client.get(reverse("home")).text
    assert 'action="/search/"' in text
    assert 'role="search"' in text
    assert 'name="q"' in text


def test_search_finds_each_kind_of_public_page(client, gateshead):
    TypeOfCareFactory(name="Shared lives", slug="shared-lives", summary="Placements")
    SectionFactory(council=gateshead, body="We want more shared lives carers.")
    CommissioningIntentionFactory(council=gateshead, summary="Grow shared lives")
    TenderFactory(council=gateshead, title="Shared lives scheme")
    ArrangementFactory(council=gateshead, name="Shared lives approved list")
    CareServiceFactory(council=gateshead, name="Shared Lives North")
    IndicatorFactory(name="People in shared lives", slug="people-shared-lives")
    response = client.get(SEARCH, {"q": "shared lives"})
    assert response.status_code == 200
    kinds = {document.kind for document in response.context["documents"]}
    assert kinds == {
        "section",
        "intention",
        "tender",
        "arrangement",
        "service",
        "market",
        "indicator",
    }
    assert "7 results" in response.text


def test_a_title_match_ranks_above_a_body_match(client, gateshead):
    TenderFactory(council=gateshead, title="Equipment", description="Reablement kit")
    TenderFactory(council=gateshead, title="Reablement service", description="Help")
    assert titles(client.get(SEARCH, {"q": "reablement"})) == [
        "Reablement service",
        "Equipment",
    ]


def test_matching_words_are_marked_and_the_page_text_is_escaped(client, gateshead):
    TenderFactory(
        council=gateshead,
        title="Day opportunities",
        description="Respite <script>alert(1)</script> for carers & families",
    )
    response = client.get(SEARCH, {"q": "respite"})
    snippet = str(response.context["documents"][0].snippet)
    assert "<mark>Respite</mark>" in snippet
    # SQLite shows the tag as text; PostgreSQL's ts_headline drops tags: never run.
    assert "<script" not in snippet
    assert "alert(1)" in snippet
    assert "<script>alert" not in response.text
    assert "&amp; families" in snippet


def test_words_are_stemmed_and_every_word_must_be_on_the_page(client, gateshead):
    TenderFactory(council=gateshead, title="Supporting people to live at home")
    TenderFactory(council=gateshead, title="Support for carers")
    assert titles(client.get(SEARCH, {"q": "supported living"})) == [
        "Supporting people to live at home"
    ]


def test_quoted_words_and_types_of_care_are_found_together_in_order(client, gateshead):
    TypeOfCareFactory(name="Home care", slug="home-care")
    TenderFactory(council=gateshead, title="Nursing care home beds")
    TenderFactory(council=gateshead, title="Home care for older people")
    assert titles(client.get(SEARCH, {"q": "home care", "kind": "tender"})) == [
        "Home care for older people"
    ]
    assert titles(client.get(SEARCH, {"q": '"care home"', "kind": "tender"})) == [
        "Nursing care home beds"
    ]


def test_a_minus_leaves_words_and_phrases_out(client, gateshead):
    TenderFactory(council=gateshead, title="Day services for older people")
    TenderFactory(council=gateshead, title="Day services for younger adults")
    assert titles(client.get(SEARCH, {"q": "day services -older"})) == [
        "Day services for younger adults"
    ]
    assert titles(client.get(SEARCH, {"q": 'day services -"younger adults"'})) == [
        "Day services for older people"
    ]


def test_results_filter_by_kind_and_council_with_counts(client, gateshead, darlington):
    TenderFactory(council=gateshead, title="Gateshead respite")
    TenderFactory(council=darlington, title="Darlington respite")
    CareServiceFactory(council=darlington, name="Respite House")
    response = client.get(SEARCH, {"q": "respite", "council": "darlington"})
    assert sorted(titles(response)) == ["Darlington respite", "Respite House"]
    assert "Tender opportunities (1)" in response.text
    assert "Gateshead Council (1)" in response.text  # what ticking it would add
    response = client.get(
        SEARCH, {"q": "respite", "council": "darlington", "kind": "service"}
    )
    assert titles(response) == ["Respite House"]


def test_applied_filters_each_link_to_the_results_without_them(client, darlington):
    TenderFactory(council=darlington, title="Respite")
    response = client.get(
        SEARCH, {"q": "respite", "council": "darlington", "kind": "tender"}
    )
    links = dict(
        re.findall(
            r'href="([^"]+)"><span class="govuk-visually-hidden">Remove filter </span>'
            r"([^<]+) <",
            response.text,
        )
    )
    assert links == {
        "?q=respite&amp;kind=tender": "Council: Darlington Borough Council",
        "?q=respite&amp;council=darlington": "Kind of page: Tender opportunities",
        "?council=darlington&amp;kind=tender": "Search the portal: “respite”",
    }


def test_results_are_paged_twenty_at_a_time(client, gateshead):
    for number in range(46):
        TenderFactory(council=gateshead, title=f"Respite {number:02d}")
    response = client.get(SEARCH, {"q": "respite", "page": 2})
    assert len(response.context["documents"]) == 20
    assert "Showing 21 to 40 of 46" in response.text
    assert "46 results" in response.text
    assert 'href="#results-heading">Skip to results' in response.text


def test_the_query_count_does_not_grow_with_the_results(client, gateshead):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SEARCH, {"q": "respite"}).status_code == 200
        return len(queries)

    TenderFactory(council=gateshead, title="Respite 1")
    SectionFactory(council=gateshead, body="Respite")
    one = count_queries()
    for number in range(8):
        TenderFactory(council=gateshead, title=f"Respite {number}")
        SectionFactory(council=gateshead, body="Respite for carers")
        CareServiceFactory(council=gateshead, name=f"Respite home {number}")
    assert count_queries() == one


def _full_text(queries) -> list[str]:
    # SQL with the full-text query in it: PostgreSQL's tsquery, SQLite FTS5's MATCH.
    sql = [q["sql"] for q in queries.captured_queries]
    return [text for text in sql if "to_tsquery" in text or " MATCH " in text]


def test_a_search_is_worked_out_once_and_its_pages_read_only_their_documents(
    client, gateshead, uncached
):
    for number in range(25):
        TenderFactory(council=gateshead, title=f"Respite {number:02d}")
    with CaptureQueriesContext(connection) as first:
        assert client.get(SEARCH, {"q": "respite"}).status_code == 200
    assert len(_full_text(first)) == 2  # the matches, then the page's snippets
    with CaptureQueriesContext(connection) as second:
        response = client.get(SEARCH, {"q": "respite", "page": 2})
    assert len(response.context["documents"]) == 5
    assert "Showing 21 to 25 of 25" in response.text
    # The page's documents and their snippets: nothing goes over the matches
    # again (the phrases and the councils to choose from were kept too).
    assert len(second.captured_queries) == 2
    (snippets,) = _full_text(second)
    assert "ts_headline" in snippets or "snippet(" in snippets
    with CaptureQueriesContext(connection) as third:
        again = client.get(SEARCH, {"q": "respite", "page": 2})
    # The same page again was kept as well: no query at all.
    assert len(third.captured_queries) == 0
    assert titles(again) == titles(response)
    assert [str(d.snippet) for d in again.context["documents"]] == [
        str(d.snippet) for d in response.context["documents"]
    ]


def test_a_page_kept_from_before_a_change_is_not_shown_after_it(
    client, gateshead, uncached
):
    tender = TenderFactory(council=gateshead, title="Respite", description="Old")
    assert "Old" in client.get(SEARCH, {"q": "respite"}).text
    tender.description = "Fresh words"
    working_copy_save(obj=tender, user=None)
    publish(obj=tender, user=None, major=True, note="New words")
    response = client.get(SEARCH, {"q": "respite"})
    assert "Fresh words" in response.text
    assert "Old" not in response.text
    # A council renamed in bulk (no signal, no reindexing): the page shows it.
    Council.objects.filter(pk=gateshead.pk).update(name="Gateshead Borough")
    assert "Gateshead Borough" in client.get(SEARCH, {"q": "respite"}).text


def test_a_search_kept_from_before_a_change_is_not_shown_after_it(
    client, gateshead, darlington, uncached
):
    tender = TenderFactory(council=gateshead, title="Respite at home")
    response = client.get(SEARCH, {"q": "respite"})
    assert titles(response) == ["Respite at home"]
    TenderFactory(council=darlington, title="Respite in Darlington")
    response = client.get(SEARCH, {"q": "respite"})
    assert sorted(titles(response)) == ["Respite at home", "Respite in Darlington"]
    assert "Darlington Borough Council (1)" in response.text
    tender.delete()
    response = client.get(SEARCH, {"q": "respite"})
    assert titles(response) == ["Respite in Darlington"]
    assert "Gateshead Council (0)" in response.text


def test_results_page_through_the_first_pages_only(client, gateshead, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "max_pages", 2)
    monkeypatch.setattr(search, "MAX_RESULTS", 40)
    for number in range(46):
        TenderFactory(council=gateshead, title=f"Respite {number:02d}")
    response = client.get(SEARCH, {"q": "respite", "page": 2})
    assert "Showing 21 to 40 of 46" in response.text
    assert titles(response)[-1] == "Respite 39"
    response = client.get(SEARCH, {"q": "respite", "page": 3})
    assert response.status_code == 400
    assert "Only the first 2 pages (40 results) can be paged through" in response.text


def test_drafts_and_unpublished_pages_are_not_found(client, gateshead):
    SectionFactory(council=gateshead, body="Secret draft words", published=False)
    ArrangementFactory(council=gateshead, name="Secret framework", published=False)
    CommissioningIntentionFactory(
        council=gateshead, summary="Secret intention", status="draft"
    )
    scheduled = TenderFactory(
        council=gateshead, title="Secret future tender", published=False
    )
    publish(
        obj=scheduled,
        user=None,
        major=True,
        publish_at=timezone.now() + datetime.timedelta(days=3),
    )
    TenderFactory(council=gateshead, title="Secret draft tender", published=False)
    TenderFactory(
        council=gateshead, title="Secret withdrawn", status=Tender.Status.WITHDRAWN
    )
    assert titles(client.get(SEARCH, {"q": "secret"})) == []


def test_a_scheduled_section_is_found_from_its_publish_time(client, gateshead):
    section = SectionFactory(council=gateshead, body="Old words", published=False)
    publish(obj=section, user=None, major=True)
    section.body = "Brand new respite offer"
    working_copy_save(obj=section, user=None)
    when = timezone.now() + datetime.timedelta(days=2)
    publish(obj=section, user=None, major=True, note="New offer", publish_at=when)
    assert titles(client.get(SEARCH, {"q": "respite"})) == []
    assert len(titles(client.get(SEARCH, {"q": "old"}))) == 1
    # Its time comes: no index job runs.
    with time_machine.travel(when + datetime.timedelta(seconds=1)):
        assert len(titles(client.get(SEARCH, {"q": "respite"}))) == 1
        assert titles(client.get(SEARCH, {"q": "old"})) == []
    with time_machine.travel(when - datetime.timedelta(seconds=1)):
        assert titles(client.get(SEARCH, {"q": "respite"})) == []


def test_the_index_follows_edits_publishing_and_deletion(client, gateshead):
    section = SectionFactory(council=gateshead, body="Words about hoists")
    assert len(titles(client.get(SEARCH, {"q": "hoists"}))) == 1
    section.body = "Words about slings"
    working_copy_save(obj=section, user=None)
    # Only the working copy changed: readers still see, and search, the old text.
    assert len(titles(client.get(SEARCH, {"q": "hoists"}))) == 1
    publish(obj=section, user=None, major=True, note="Slings")
    assert titles(client.get(SEARCH, {"q": "hoists"})) == []
    assert len(titles(client.get(SEARCH, {"q": "slings"}))) == 1
    archive(obj=Section.objects.get(pk=section.pk), user=None)
    assert titles(client.get(SEARCH, {"q": "slings"})) == []

    tender = TenderFactory(council=gateshead, title="Hoist servicing")
    tender.title = "Lift servicing"
    working_copy_save(obj=tender, user=None)
    publish(obj=tender, user=None, major=True, note="Renamed")
    assert titles(client.get(SEARCH, {"q": "hoist"})) == []
    assert titles(client.get(SEARCH, {"q": "lift"})) == ["Lift servicing"]
    tender.delete()
    assert titles(client.get(SEARCH, {"q": "lift"})) == []


def test_rebuild_search_index_makes_the_documents_again(client, gateshead):
    TenderFactory(council=gateshead, title="Respite")
    # A bulk update without signals leaves the index behind…
    Tender._base_manager.update(title="Reablement")
    assert titles(client.get(SEARCH, {"q": "reablement"})) == []
    call_command("rebuild_search_index", "tender")
    assert titles(client.get(SEARCH, {"q": "reablement"})) == ["Reablement"]


def test_rebuild_missing_makes_only_the_kinds_left_without_documents(client, gateshead):
    from io import StringIO

    TenderFactory(council=gateshead, title="Respite")
    SectionFactory(council=gateshead, body="Respite beds")
    # What migration councils 0014 does to the timed kinds' documents.
    SearchDocument.objects.filter(kind="tender").delete()
    SearchDocument.objects.filter(kind="section").update(title="Stale heading")
    assert titles(client.get(SEARCH, {"q": "respite", "kind": "tender"})) == []

    out = StringIO()
    call_command("rebuild_search_index", "--missing", stdout=out)
    assert out.getvalue() == "tender: 1 documents\n"
    assert titles(client.get(SEARCH, {"q": "respite", "kind": "tender"})) == ["Respite"]
    # Kinds that had documents were left alone.
    assert SearchDocument.objects.get(kind="section").title == "Stale heading"

    out = StringIO()
    call_command("rebuild_search_index", "--missing", stdout=out)
    assert out.getvalue() == "Every kind of page has its documents\n"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "?!*()\"'"}, "Enter words to search for"),
        ({"q": "-older"}, "Enter a word to search for as well as the words"),
        ({"q": "the and of"}, "Enter words to search for that are not too common"),
        ({"q": "respite " * 700}, "200 characters or fewer"),
        ({"q": "a b c d e f g h i j k l m"}, "12 words or fewer"),
        ({"q": "respite", "kind": "auction"}, "There is no kind of page “auction”"),
        ({"q": "respite", "council": "atlantis"}, "There is no council “atlantis”"),
        ({"q": "respite", "page": "abc"}, "is not a page number"),
        ({"q": "respite", "page": "99999999999999999999"}, "There is no page"),
    ],
)
def test_bad_input_is_explained_with_status_400(client, gateshead, query, message):
    TenderFactory(council=gateshead, title="Respite")
    response = client.get(SEARCH, query)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert "<title>Error: " in response.text


def test_words_too_common_to_search_are_left_out_on_every_database(client, gateshead):
    TenderFactory(council=gateshead, title="Respite for carers")
    TenderFactory(council=gateshead, title="The day of the carers")
    found = client.get(SEARCH, {"q": "the respite of"})
    assert found.status_code == 200
    assert titles(found) == ["Respite for carers"]
    finder = client.get(reverse("tenders:tender-list"), {"q": "the and of"})
    assert finder.status_code == 400
    assert "Enter words to search for that are not too common" in finder.text
    assert "The day of the carers" not in finder.text


def test_fts_syntax_typed_in_a_query_is_searched_as_words(client, gateshead):
    TenderFactory(council=gateshead, title="Respite NEAR carers")
    for query in ["respite NEAR carers", "respite OR", "title:respite", "respite*"]:
        response = client.get(SEARCH, {"q": query})
        assert response.status_code == 200, query


def test_an_empty_search_shows_the_form_only(client):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert "results-heading" not in response.text


def test_results_kept_by_other_code_are_not_read(
    client, gateshead, uncached, monkeypatch
):
    # Instances of the portal running other code (a rolling deploy) share the
    # cache: what one kept, in the shape its code gave it, the other works out
    # again instead of reading.
    TenderFactory(council=gateshead, title="Respite at home")
    assert client.get(SEARCH, {"q": "respite"}).status_code == 200
    with CaptureQueriesContext(connection) as kept:
        client.get(SEARCH, {"q": "respite"})
    assert len(kept.captured_queries) == 0

    monkeypatch.setattr(pagecache, "code_version", lambda: "other-code")
    with CaptureQueriesContext(connection) as other:
        response = client.get(SEARCH, {"q": "respite"})

    assert len(_full_text(other)) == 2  # the matches and the page, again
    assert titles(response) == ["Respite at home"]
