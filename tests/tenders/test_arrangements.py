"""Contracting arrangements: the public list, its downloads, detail and council page."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils import finders
from tenders.models import Arrangement
from tests.factories import ArrangementFactory, ContactFactory

pytestmark = pytest.mark.django_db
LIST = reverse("tenders:arrangement-list")
CSV = reverse("tenders:arrangement-list-csv")
JSON = reverse("tenders:arrangement-list-json")


def names(response):
    return [arrangement.name for arrangement in response.context["arrangements"]]


def test_list_shows_arrangements_with_council_kind_and_joining_status(
    client, gateshead
):
    ArrangementFactory(
        council=gateshead,
        name="Day Services Provider Panel",
        kind=Arrangement.Kind.PANEL,
        lots="Standard, specialist and 1:1",
    )
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["Day Services Provider Panel"]
    for text in (
        "Gateshead Council",
        "Provider panel or approved list",
        "Standard, specialist and 1:1",
        "Open to join at any time",
    ):
        assert text in response.text, text


def test_several_councils_can_be_chosen_at_once(client, gateshead, darlington):
    ArrangementFactory(council=gateshead, name="Gateshead panel")
    ArrangementFactory(council=darlington, name="Darlington panel")
    ArrangementFactory(name="Elsewhere panel")
    response = client.get(LIST, {"council": ["gateshead", "darlington"]})
    assert names(response) == ["Darlington panel", "Gateshead panel"]


def test_kind_filter(client):
    ArrangementFactory(name="A spot contract", kind=Arrangement.Kind.SPOT)
    ArrangementFactory(name="A block contract", kind=Arrangement.Kind.BLOCK)
    ArrangementFactory(name="A framework", kind=Arrangement.Kind.FRAMEWORK)
    response = client.get(LIST, {"kind": ["spot", "block"]})
    assert names(response) == ["A block contract", "A spot contract"]


def test_type_of_care_and_client_group_filters_do_not_repeat_rows(
    client, reablement, home_care, older_people
):
    ArrangementFactory(
        name="Both",
        types_of_care=[reablement, home_care],
        client_groups=[older_people],
    )
    ArrangementFactory(name="Reablement only", types_of_care=[reablement])
    ArrangementFactory(name="Neither")
    response = client.get(LIST, {"type_of_care": ["reablement", "domiciliary-care"]})
    assert names(response) == ["Both", "Reablement only"]
    response = client.get(LIST, {"client_group": "older-people"})
    assert names(response) == ["Both"]


def test_open_to_join_now_leaves_out_closed_and_periodic_arrangements(client):
    ArrangementFactory(name="Open panel", joining=Arrangement.Joining.OPEN)
    ArrangementFactory(name="Periodic", joining=Arrangement.Joining.PERIODIC)
    ArrangementFactory(name="Closed", joining=Arrangement.Joining.CLOSED)
    response = client.get(LIST, {"open_now": "yes"})
    assert names(response) == ["Open panel"]
    assert len(names(client.get(LIST))) == 3


def test_keywords_search_name_description_and_lots(client):
    ArrangementFactory(name="Home care", lots="10 geographic zones")
    ArrangementFactory(name="Care homes", description="Time to Think beds")
    ArrangementFactory(name="Day services")
    assert names(client.get(LIST, {"q": "zones"})) == ["Home care"]
    assert names(client.get(LIST, {"q": "think beds"})) == ["Care homes"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"council": "atlantis"}, "There is no council “atlantis”"),
        ({"kind": "auction"}, "There is no type of arrangement “auction”"),
        ({"type_of_care": "nope"}, "There is no type of care “nope”"),
        ({"client_group": "nope"}, "There is no group “nope”"),
        ({"q": "x" * 201}, "200 characters or fewer"),
    ],
)
def test_bad_filters_are_explained_with_status_400(client, query, message):
    ArrangementFactory(name="Should not be listed")
    response = client.get(LIST, query)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert "Should not be listed" not in response.text
    assert list(response.context["arrangements"]) == []


@pytest.mark.parametrize(
    "page, message",
    [
        ("abc", "“abc” is not a page number"),
        ("99999", "There is no page 99999"),
    ],
)
def test_bad_page_numbers_are_explained_with_status_400(client, page, message):
    ArrangementFactory()
    response = client.get(LIST, {"page": page})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert message in response.text


def test_bad_filters_on_downloads_are_refused_with_status_400(client):
    assert client.get(CSV, {"kind": "auction"}).status_code == 400
    response = client.get(JSON, {"council": "atlantis"})
    assert response.status_code == 400
    assert "council" in response.json()["errors"]


def query_count(client, query):
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
            "open_now": 1,
        },
    ],
)
def test_list_queries_do_not_grow_with_rows(
    client, gateshead, reablement, query, uncached
):
    ArrangementFactory(council=gateshead, name="Care panel", types_of_care=[reablement])
    one = query_count(client, query)
    for _ in range(24):
        ArrangementFactory(
            council=gateshead, name="Care panel", types_of_care=[reablement]
        )
    assert query_count(client, query) == one
    # Keywords add two (the type-of-care phrases, and the matching ids, looked
    # up once however many facets use them); the chosen filters' facet counts ask
    # what each choice gives, one query per facet. The first request after a
    # change (as here) also asks for each scheduled field's next publication (six
    # queries, once for every page: councils.pagecache), then counts the facets,
    # which the requests after it share (councils.finders.counted_once).
    assert one <= (19 if query else 15)


def download_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_download_queries_do_not_grow_with_rows(
    client, reablement, older_people, uncached
):
    def make():
        ArrangementFactory(types_of_care=[reablement], client_groups=[older_people])

    make()
    one = (download_queries(client, CSV), download_queries(client, JSON))
    for _ in range(9):
        make()
    assert (download_queries(client, CSV), download_queries(client, JSON)) == one


def test_csv_download_makes_formula_text_inert_and_keeps_the_filters(
    client, gateshead, reablement
):
    ArrangementFactory(
        council=gateshead,
        name='=HYPERLINK("http://evil.example")',
        description="+SUM(A1)",
        lots="-10 zones",
        types_of_care=[reablement],
    )
    ArrangementFactory(name="Another council's panel")
    response = client.get(CSV, {"council": "gateshead"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == '\'=HYPERLINK("http://evil.example")'
    assert row["description"] == "'+SUM(A1)"
    assert row["lots"] == "'-10 zones"
    assert row["types_of_care"] == "Reablement"
    assert row["council"] == "Gateshead Council"
    assert row["url"].startswith("http://testserver/opportunities/arrangements/")


def test_json_download_keeps_lists_and_the_text_as_given(client, reablement):
    arrangement = ArrangementFactory(
        name="=Panel",
        types_of_care=[reablement],
        next_opening="2024/25",
    )
    data = json.loads(client.get(JSON, {"kind": "framework"}).getvalue())
    assert data["meta"]["count"] == 1
    record = data["results"][0]
    assert record["name"] == "=Panel"
    assert record["types_of_care"] == ["Reablement"]
    assert record["next_opening_start"] == "2024-04-01"
    assert record["next_opening_end"] == "2025-03-31"
    assert record["url"] == f"http://testserver{arrangement.get_absolute_url()}"


def test_detail_page_renders_markdown_and_shows_the_councils_contacts(
    client, gateshead
):
    ContactFactory(council=gateshead, name="Commissioning team")
    arrangement = ArrangementFactory(
        council=gateshead,
        name="Spot contract for care homes",
        kind=Arrangement.Kind.SPOT,
        description="Homes **may join** at any time.<script>alert(1)</script>",
        how_to_join="Accept the [terms](https://example.org/terms).",
        next_opening="April 2025",
        contact_email="spot@gateshead.example",
    )
    url = arrangement.get_absolute_url()
    assert url == f"/opportunities/arrangements/gateshead/{arrangement.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    for text in (
        "<strong>may join</strong>",
        "How to join",
        'href="https://example.org/terms"',
        "April 2025",
        "1 April 2025 to 30 April 2025",
        "Spot contract",
        'href="mailto:spot@gateshead.example"',
        "Commissioning team",
    ):
        assert text in response.text, text
    assert "<script>alert(1)</script>" not in response.text


def test_detail_page_needs_the_right_council(client, gateshead, darlington):
    arrangement = ArrangementFactory(council=gateshead)
    url = reverse(
        "tenders:arrangement-detail",
        kwargs={"council_slug": darlington.slug, "pk": arrangement.pk},
    )
    assert client.get(url).status_code == 404


def test_council_page_shows_only_its_arrangements_open_to_join(
    client, gateshead, darlington
):
    ArrangementFactory(council=gateshead, name="Open day services panel")
    ArrangementFactory(
        council=gateshead, name="Closed framework", joining=Arrangement.Joining.CLOSED
    )
    ArrangementFactory(council=darlington, name="Darlington spot contract")
    response = client.get(gateshead.get_absolute_url())
    assert response.status_code == 200
    assert "Contracts you can join now" in response.text
    assert "Open day services panel" in response.text
    assert "Closed framework" not in response.text
    assert "Darlington spot contract" not in response.text
    assert 'class="app-table-container" tabindex="0" role="region"' in response.text


def test_council_without_open_arrangements_shows_no_section(client, gateshead):
    ArrangementFactory(council=gateshead, joining=Arrangement.Joining.CLOSED)
    response = client.get(gateshead.get_absolute_url())
    assert "Contracts you can join now" not in response.text


def test_tender_list_links_to_the_arrangements(client):
    response = client.get(reverse("tenders:tender-list"))
    assert f'href="{LIST}">Frameworks and contracts you can join now' in response.text


def test_queryset_methods_scope_to_council_and_open_arrangements(gateshead, darlington):
    open_one = ArrangementFactory(council=gateshead)
    ArrangementFactory(council=gateshead, joining=Arrangement.Joining.PERIODIC)
    ArrangementFactory(council=darlington)
    assert list(Arrangement.objects.for_council(gateshead).open_to_join()) == [open_one]


def test_demo_data_loads_durhams_published_arrangements(client):
    call_command("load_demo_data", verbosity=0)
    durham = Arrangement.objects.filter(council__slug="county-durham")
    assert durham.count() == 6
    assert not durham.filter(is_demo=True).exists()
    assert set(durham.open_to_join().values_list("name", flat=True)) == {
        "Older persons care home contract",
        "Intermediate care plus bed spot contract",
        "Day Services Provider Panel",
    }
    main = durham.get(name="Domiciliary home care Main Framework")
    assert main.joining == Arrangement.Joining.CLOSED
    assert main.lots.startswith("10 geographic zones")
    assert set(main.types_of_care.values_list("slug", flat=True)) == {
        "domiciliary-care"
    }
    panel = durham.get(kind=Arrangement.Kind.PANEL)
    assert "remains open, allowing new providers to sign up" in panel.how_to_join
    response = client.get(LIST, {"council": "county-durham", "open_now": "yes"})
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_result_rows_are_the_markup_of_the_result_template(gateshead, reablement):
    """``{% arrangement_results %}`` writes what the included template would,
    every value escaped, whatever the row holds."""
    ArrangementFactory(
        council=gateshead,
        name='<b>Care & support</b> "o\'clock"',
        kind=Arrangement.Kind.DPS,
        joining=Arrangement.Joining.PERIODIC,
        lots="Lot 1 <north> & 2",
        next_opening="April 2026",
        types_of_care=[reablement],
    )
    ArrangementFactory(council=gateshead, name="Plain", joining="closed")
    rows = finders.with_names(
        list(Arrangement.live.select_related("council").order_by("name")),
        "types_of_care",
        "care_names",
    )
    looped = Template(
        "{% for arrangement in arrangements %}"
        '{% include "tenders/includes/arrangement_result.html" %}      {% endfor %}'
    ).render(Context({"arrangements": rows}))
    written = Template(
        "{% load tenders %}{% arrangement_results arrangements %}"
    ).render(Context({"arrangements": rows}))
    assert written == looped
    assert "&lt;b&gt;Care &amp; support" in written
    assert "Lot 1 &lt;north&gt; &amp; 2" in written
    assert "Next opening: April 2026</p>" in written
    assert "Reablement</p>" in written
    assert rows[0].get_absolute_url() in written
    assert rows[0].get_absolute_url() != rows[0].council.get_absolute_url()
