"""The finders' keyword boxes use the site search engine, and the three finders share
one layout: collapsible checkbox groups with counts, applied filters with remove
links, sort, "Skip to results" and "Showing 21 to 40 of 46"."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils import search
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    ClientGroupFactory,
    CouncilFactory,
    ServiceTypeFactory,
    SpecialismFactory,
    TenderFactory,
    TypeOfCareAliasFactory,
    TypeOfCareFactory,
)

pytestmark = pytest.mark.django_db
TENDERS = reverse("tenders:tender-list")
ARRANGEMENTS = reverse("tenders:arrangement-list")
SERVICES = reverse("providers:service-list")
# Each finder, and how to give it one result in a council.
FINDERS_WITH_ONE_RESULT = [
    (TENDERS, lambda council: TenderFactory(council=council, title="Respite")),
    (ARRANGEMENTS, lambda council: ArrangementFactory(council=council, name="Respite")),
    (SERVICES, lambda council: CareServiceFactory(council=council, name="Respite")),
]


def counting(queries) -> list[str]:
    """The queries that counted something (facets, totals)."""
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]


def remove_links(response) -> dict[str, str]:
    return {
        label: href.replace("&amp;", "&")
        for href, label in re.findall(
            r'href="([^"]+)"><span class="govuk-visually-hidden">Remove filter </span>'
            r"([^<]+) <",
            response.text,
        )
    }


def test_opportunity_keywords_are_stemmed_and_types_of_care_kept_together(
    client, gateshead
):
    TypeOfCareFactory(name="Home care", slug="home-care")
    TenderFactory(council=gateshead, title="Supported living for autistic adults")
    TenderFactory(council=gateshead, title="Residential care home places")
    TenderFactory(council=gateshead, title="Home care in rural areas")
    found = client.get(TENDERS, {"q": "supported living"}).context["tenders"]
    assert [t.title for t in found] == ["Supported living for autistic adults"]
    found = client.get(TENDERS, {"q": "home care"}).context["tenders"]
    assert [t.title for t in found] == ["Home care in rural areas"]
    found = client.get(TENDERS, {"q": "home -rural"}).context["tenders"]
    assert [t.title for t in found] == ["Residential care home places"]


def test_a_finders_keyword_phrases_are_kept_until_the_types_of_care_change(
    client, gateshead, uncached
):
    home_care = TypeOfCareFactory(name="Home care", slug="home-care")
    TenderFactory(council=gateshead, title="Care at home for older people")
    TenderFactory(council=gateshead, title="Care home places at home in Felling")
    client.get(TENDERS, {"q": "care at home"})
    with CaptureQueriesContext(connection) as queries:
        found = client.get(TENDERS, {"q": "care at home"}).context["tenders"]
    # Unquoted words, each anywhere: both match.
    assert len(found) == 2
    assert not [q for q in queries.captured_queries if "typeofcarealias" in q["sql"]]
    # A council's own words for a type of care are searched as a phrase at once.
    TypeOfCareAliasFactory(
        council=gateshead, name="Care at home", type_of_care=home_care
    )
    found = client.get(TENDERS, {"q": "care at home"}).context["tenders"]
    assert [t.title for t in found] == ["Care at home for older people"]


@pytest.mark.parametrize("few", [500, 2])
def test_keywords_find_the_same_opportunities_and_counts_however_many_match(
    client, gateshead, darlington, uncached, monkeypatch, few
):
    # Up to search.FEW_MATCHES matches the finder reads by id; more, through
    # the search subquery: the same results and counts either way.
    monkeypatch.setattr(search, "FEW_MATCHES", few)
    TenderFactory(council=gateshead, title="Hoist servicing north")
    TenderFactory(council=gateshead, title="Hoist servicing south")
    TenderFactory(council=darlington, title="Hoist servicing", status="open")
    TenderFactory(council=darlington, title="Respite beds")
    response = client.get(TENDERS, {"q": "hoist", "council": "gateshead"})
    assert sorted(t.title for t in response.context["tenders"]) == [
        "Hoist servicing north",
        "Hoist servicing south",
    ]
    assert "Darlington Borough Council (1)" in response.text
    assert "2 opportunities" in response.text


@pytest.mark.parametrize("few", [500, 2])
def test_a_keywords_facets_are_counted_in_one_query_over_its_matches(
    client, gateshead, darlington, uncached, monkeypatch, few
):
    # Each facet counts the matches the other facets' choices keep: councils
    # over the statuses chosen, statuses over the councils chosen, types of care
    # and client groups over both.
    monkeypatch.setattr(search, "FEW_MATCHES", few)
    respite = TypeOfCareFactory(name="Respite care", slug="respite-care")
    carers = ClientGroupFactory(name="Carers", slug="carers")
    TenderFactory(
        council=gateshead,
        title="Hoist servicing north",
        status="open",
        types_of_care=[respite],
        client_groups=[carers],
    )
    TenderFactory(council=gateshead, title="Hoist servicing south", status="planned")
    TenderFactory(council=darlington, title="Hoist servicing", status="open")
    TenderFactory(
        council=darlington,
        title="Hoist repairs",
        status="planned",
        types_of_care=[respite],
    )
    TenderFactory(council=gateshead, title="Respite beds", status="open")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            TENDERS, {"q": "hoist", "council": "gateshead", "status": "open"}
        )
    assert [t.title for t in response.context["tenders"]] == ["Hoist servicing north"]
    text = response.text
    assert "Gateshead Council (1)" in text
    assert "Darlington Borough Council (1)" in text
    assert "Open for bids (1)" in text
    assert "Planned (1)" in text
    assert "Respite care (1)" in text
    assert "Carers (1)" in text
    assert "1 opportunity" in text
    assert len(counting(queries)) == 1, counting(queries)


@pytest.mark.parametrize("few", [500, 2])
def test_a_keywords_directory_facets_are_counted_in_one_query_over_its_matches(
    client, gateshead, darlington, uncached, monkeypatch, few
):
    monkeypatch.setattr(search, "FEW_MATCHES", few)
    nursing = ServiceTypeFactory(name="Care home service with nursing")
    dementia = SpecialismFactory(name="Dementia")
    CareServiceFactory(
        council=gateshead,
        name="Hoist House",
        rating="good",
        care_home=True,
        service_types=[nursing],
        specialisms=[dementia],
    )
    CareServiceFactory(council=gateshead, name="Hoist Lodge", rating="good")
    CareServiceFactory(
        council=gateshead, name="Hoist Court", rating="inadequate", care_home=True
    )
    CareServiceFactory(
        council=darlington,
        name="Hoist Hall",
        rating="good",
        care_home=True,
        specialisms=[dementia],
    )
    CareServiceFactory(council=gateshead, name="Respite Hall", rating="good")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            SERVICES,
            {
                "q": "hoist",
                "council": "gateshead",
                "rating": "good",
                "setting": "care_home",
            },
        )
    assert [s.name for s in response.context["services"]] == ["Hoist House"]
    text = response.text
    # Councils over good care homes, ratings over Gateshead's care homes,
    # settings over Gateshead's good services, the vocabularies over all three.
    assert "Gateshead Council (1)" in text
    assert "Darlington Borough Council (1)" in text
    assert "Inadequate (1)" in text
    assert "Good (1)" in text
    assert "Care homes (1)" in text
    assert "Community-based (1)" in text
    assert "Care home service with nursing (1)" in text
    assert "Dementia (1)" in text
    assert len(counting(queries)) == 1, counting(queries)


def test_a_keyword_with_few_matches_gives_the_database_their_ids_as_one_value(
    client, gateshead, uncached
):
    for number in range(30):
        TenderFactory(council=gateshead, title=f"Hoist servicing {number}")
    TenderFactory(council=gateshead, title="Respite beds")
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(TENDERS, {"q": "hoist"})
    assert len(response.context["tenders"]) == 20
    assert "30 opportunities" in response.text
    assert "Respite beds" not in response.text
    by_ids = [
        params
        for sql, params in sent
        if '"tenders_tender"' in sql and ("= ANY(" in sql or "json_each(" in sql)
    ]
    # The results' keys, and the facet counts, each filtered by one list.
    assert by_ids
    assert all(len(params) < 30 for params in by_ids)


def test_arrangement_keywords_search_live_copies_only(client, gateshead):
    arrangement = ArrangementFactory(council=gateshead, name="Respite framework")
    arrangement.name = "Renamed in draft"
    arrangement.save()
    found = client.get(ARRANGEMENTS, {"q": "respite"}).context["arrangements"]
    assert [a.name for a in found] == ["Respite framework"]
    assert not client.get(ARRANGEMENTS, {"q": "renamed"}).context["arrangements"]


def test_directory_keywords_find_words_in_service_types(client, gateshead):
    from tests.factories import ServiceTypeFactory

    CareServiceFactory(
        council=gateshead,
        name="Oak House",
        service_types=[ServiceTypeFactory(name="Supported living service")],
    )
    CareServiceFactory(council=gateshead, name="Elm Court")
    found = client.get(SERVICES, {"q": "supported living"}).context["services"]
    assert [s.name for s in found] == ["Oak House"]


@pytest.mark.parametrize("url", [TENDERS, ARRANGEMENTS, SERVICES])
@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("!!! ???", "Enter words to search for"),
        ("x" * 5000, "200 characters or fewer"),
        ("-older", "Enter a word to search for as well"),
    ],
)
def test_unsearchable_keywords_are_explained_with_400(client, url, q, message):
    response = client.get(url, {"q": q})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert message in response.text


@pytest.mark.parametrize(("url", "factory"), FINDERS_WITH_ONE_RESULT)
def test_each_finder_lists_applied_filters_with_a_link_removing_each(
    client, gateshead, darlington, url, factory
):
    factory(gateshead)
    response = client.get(url, {"q": "respite", "council": "gateshead", "page": "1"})
    assert response.status_code == 200
    assert remove_links(response) == {
        "Council: Gateshead Council": "?q=respite",
        "Keywords: “respite”": "?council=gateshead",
    }
    # Counts in the council group say what ticking another council would give.
    assert "Darlington Borough Council (0)" in response.text
    assert "Gateshead Council (1)" in response.text
    # Filter groups fold without JavaScript; the chosen one is open.
    assert re.search(
        r'<details class="govuk-details app-finder-group" open>', response.text
    )
    assert '<details class="govuk-details app-finder-group">' in response.text
    assert 'href="#results-heading">Skip to results' in response.text
    assert 'id="sort"' in response.text
    assert "Clear filters" in response.text


@pytest.mark.parametrize(("url", "factory"), FINDERS_WITH_ONE_RESULT)
def test_each_finder_checks_chosen_councils_against_its_kept_facet_rows(
    client, gateshead, url, factory, uncached
):
    factory(gateshead)
    client.get(url, {"council": "gateshead"})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"council": "gateshead"})
    assert remove_links(response) == {"Council: Gateshead Council": "?"}
    # The chosen council was not read again to check it (Django's own field reads
    # the chosen rows by slug on every request).
    assert not [
        query["sql"]
        for query in queries
        if 'FROM "councils_council"' in query["sql"] and '"slug" IN' in query["sql"]
    ]
    # A council renamed or added is known at once: the rows are kept per content
    # version, which any write replaces.
    gateshead.name = "Gateshead Metropolitan Borough Council"
    gateshead.save()
    CouncilFactory(name="Newcastle City Council", slug="newcastle")
    response = client.get(url, {"council": ["gateshead", "newcastle"]})
    assert response.status_code == 200
    assert remove_links(response) == {
        "Council: Gateshead Metropolitan Borough Council": "?council=newcastle",
        "Council: Newcastle City Council": "?council=gateshead",
    }
    response = client.get(url, {"council": ["gateshead", "atlantis"]})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert "Remove filter" not in response.text


@pytest.mark.parametrize(
    ("url", "per_page", "factory"),
    [
        (TENDERS, 20, lambda n, c: TenderFactory(council=c, title=f"Respite {n}")),
        (
            ARRANGEMENTS,
            20,
            lambda n, c: ArrangementFactory(council=c, name=f"Respite {n}"),
        ),
        (SERVICES, 25, lambda n, c: CareServiceFactory(council=c, name=f"Respite {n}")),
    ],
)
def test_each_finder_says_which_results_a_page_shows(
    client, gateshead, url, per_page, factory
):
    for number in range(per_page * 2 + 6):
        factory(number, gateshead)
    response = client.get(url, {"page": 2})
    total = per_page * 2 + 6
    assert f"Showing {per_page + 1} to {per_page * 2} of {total}" in response.text


def test_directory_filters_are_checkboxes_that_combine(client, gateshead, darlington):
    CareServiceFactory(council=gateshead, name="Gateshead good", rating="good")
    CareServiceFactory(council=darlington, name="Darlington good", rating="good")
    CareServiceFactory(council=darlington, name="Darlington poor", rating="inadequate")
    response = client.get(
        SERVICES, {"council": ["gateshead", "darlington"], "rating": "good"}
    )
    assert [s.name for s in response.context["services"]] == [
        "Darlington good",
        "Gateshead good",
    ]
    assert "Good (2)" in response.text
    assert "Inadequate (1)" in response.text
    response = client.get(SERVICES, {"sort": "council"})
    assert response.context["services"][0].name.startswith("Darlington")


def test_a_bulk_tender_import_is_searchable_at_once(client, durham, tmp_path):
    from django.core.management import call_command

    from .conftest import table

    path = tmp_path / "t.csv"
    path.write_bytes(table([["Title"], ["Shared lives recruitment"], ["Hoists"]]))
    call_command("import_tenders", str(path), "--council", "durham", stdout=None)
    found = client.get(TENDERS, {"q": "shared lives"}).context["tenders"]
    assert [t.title for t in found] == ["Shared lives recruitment"]
    response = client.get(reverse("councils:search"), {"q": "hoists"})
    assert [d.title for d in response.context["documents"]] == ["Hoists"]


def probes(queries) -> list[str]:
    """The queries that look up a keyword's matching ids on their own (the
    finders' other queries hold the search as a subquery)."""
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "councils_searchdocument"."object_id"')
    ]


@pytest.mark.parametrize("few", [500, 1])
def test_keyword_matches_are_kept_until_the_content_changes(
    client, gateshead, uncached, monkeypatch, few
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(search, "FEW_MATCHES", few)
    TenderFactory(council=gateshead, title="Hoist servicing")
    with CaptureQueriesContext(connection) as first:
        response = client.get(TENDERS, {"q": "hoist"})
    assert [t.title for t in response.context["tenders"]] == ["Hoist servicing"]
    # Another sort and page of the same keywords reads the ids kept.
    with CaptureQueriesContext(connection) as again:
        client.get(TENDERS, {"q": "hoist", "sort": "title"})
    assert len(probes(first.captured_queries)) == 1
    assert probes(again.captured_queries) == []
    # More matches now (past FEW_MATCHES when it is 1): found at once.
    TenderFactory(council=gateshead, title="Hoist repairs")
    response = client.get(TENDERS, {"q": "hoist"})
    assert sorted(t.title for t in response.context["tenders"]) == [
        "Hoist repairs",
        "Hoist servicing",
    ]
    assert "2 opportunities" in response.text
