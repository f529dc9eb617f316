"""CSV, JSON and Atom downloads of the finder's results, filtered as the page is."""

import csv
import io
import json
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.publishing import publish, working_copy_save
from tests.factories import (
    ClientGroupFactory,
    CpvCodeFactory,
    TenderFactory,
    TypeOfCareFactory,
    future_year,
)

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def test_csv_download_respects_the_filters(client, gateshead, darlington):
    TenderFactory(council=gateshead, title="Gateshead tender")
    TenderFactory(council=darlington, title="Darlington tender")
    response = client.get(reverse("tenders:tender-list-csv"), {"council": "gateshead"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [row["title"] for row in rows] == ["Gateshead tender"]
    assert rows[0]["council_gss_code"] == "E08000037"
    assert rows[0]["procurement_start"] == f"{YEAR}-09-01"


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_could_be_formulas_are_escaped(client, trigger):
    TenderFactory(title=f'{trigger}HYPERLINK("http://evil.example")')
    row = csv_rows(client.get(reverse("tenders:tender-list-csv")))[0]
    assert row["title"] == f'\'{trigger}HYPERLINK("http://evil.example")'


def test_csv_cells_with_commas_quotes_and_line_breaks_read_back_whole(client):
    text = 'Day care, "short breaks"\r\nand respite\nin one; two'
    TenderFactory(title="A, B", description=text, notes='"quoted"', contact_name="")
    body = client.get(reverse("tenders:tender-list-csv")).getvalue().decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(body, newline=""))
    assert (row["title"], row["description"], row["notes"]) == (
        "A, B",
        text,
        '"quoted"',
    )
    assert row["contact_name"] == ""
    assert body.endswith("\r\n")


def test_csv_numbers_stay_numbers(client):
    TenderFactory(value_min=Decimal("250000"), value_max=Decimal("1250000.50"))
    row = csv_rows(client.get(reverse("tenders:tender-list-csv")))[0]
    assert row["value_min"] == "250000"
    assert row["value_max"] == "1250000.5"


def test_downloads_refuse_bad_filters_with_400(client, db):
    for name in (
        "tender-list-csv",
        "tender-list-json",
        "tender-list-ocds",
        "tender-feed",
    ):
        response = client.get(reverse(f"tenders:{name}"), {"council": "atlantis"})
        assert response.status_code == 400, name
        assert "atlantis" in response.getvalue().decode()


def test_json_download_has_lists_numbers_and_dates(client, reablement):
    TenderFactory(
        title="Reablement",
        types_of_care=[reablement],
        value_max=Decimal("900000"),
        notes="subject to outcome of ongoing strategic review",
    )
    TenderFactory(title="Other")
    response = client.get(
        reverse("tenders:tender-list-json"), {"type_of_care": "reablement"}
    )
    data = json.loads(response.getvalue())
    assert data["meta"]["count"] == 1
    record = data["results"][0]
    assert record["types_of_care"] == ["Reablement"]
    assert record["value_max"] == 900000
    assert record["procurement_end"] == f"{YEAR}-11-30"
    assert record["notes"] == "subject to outcome of ongoing strategic review"
    assert record["url"].startswith("http://testserver/opportunities/")


@pytest.mark.parametrize(
    "reference", ["GAT-2031-001", "GAT/2031/1", "No. 7 (draft)", "ü"]
)
def test_each_tender_links_to_its_page_whatever_its_reference(
    client, gateshead, reference
):
    tender = TenderFactory(council=gateshead, reference=reference)
    page = "http://testserver" + tender.get_absolute_url()
    csv_url = csv_rows(client.get(reverse("tenders:tender-list-csv")))[0]["url"]
    json_url = json.loads(client.get(reverse("tenders:tender-list-json")).getvalue())[
        "results"
    ][0]["url"]
    ocds = json.loads(client.get(reverse("tenders:tender-list-ocds")).getvalue())
    documents = ocds["releases"][0]["tender"]["documents"]
    assert csv_url == json_url == documents[0]["url"] == page
    assert client.get(page).status_code == 200


def test_lists_keep_their_vocabularys_order_in_every_download(client, gateshead):
    later = TypeOfCareFactory(name="Aaa later", position=2)
    first = TypeOfCareFactory(name="Zzz first", position=1)
    groups = [
        ClientGroupFactory(name="Younger adults"),
        ClientGroupFactory(name="Carers"),
    ]
    codes = [
        CpvCodeFactory(
            code="85312000", description="Welfare services without accommodation"
        ),
        CpvCodeFactory(
            code="85311000", description="Welfare services with accommodation"
        ),
    ]
    TenderFactory(
        council=gateshead,
        types_of_care=[later, first],
        client_groups=groups,
        cpv_codes=codes,
    )
    TenderFactory(council=gateshead)  # and one with no lists at all
    row, bare = csv_rows(client.get(reverse("tenders:tender-list-csv")))
    assert row["types_of_care"] == "Zzz first; Aaa later"
    assert row["client_groups"] == "Carers; Younger adults"
    assert row["cpv_codes"] == "85311000; 85312000"
    assert bare["types_of_care"] == bare["cpv_codes"] == ""
    release = json.loads(client.get(reverse("tenders:tender-list-ocds")).getvalue())[
        "releases"
    ][0]
    item = release["tender"]["items"][0]
    assert item["classification"]["id"] == "85311000"
    assert item["additionalClassifications"][0]["id"] == "85312000"


def test_feed_is_atom_of_the_filtered_results_newest_change_first(client, gateshead):
    older = TenderFactory(council=gateshead, title="Older")
    TenderFactory(council=gateshead, title="Newer")
    TenderFactory(title="Other council")
    older.notes = "Changed"
    working_copy_save(obj=older, user=None)
    publish(obj=older, user=None, major=True, note="Changed")
    response = client.get(reverse("tenders:tender-feed"), {"council": "gateshead"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.getvalue())
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Older (Gateshead Council)",
        "Newer (Gateshead Council)",
    ]
    assert entries[0].find(f"{ATOM}updated") is not None
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Gateshead Council"


def feed_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tenders:tender-feed")).status_code == 200
    return len(queries)


def test_feed_queries_do_not_grow_with_rows(client, reablement, uncached):
    TenderFactory(types_of_care=[reablement])
    one = feed_queries(client)
    for _ in range(49):
        TenderFactory(types_of_care=[reablement])
    assert feed_queries(client) == one == 2


def test_download_queries_do_not_grow_with_rows(
    client, reablement, elderly_cpv, uncached
):
    TenderFactory(types_of_care=[reablement], cpv_codes=[elderly_cpv])

    def count(name):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse(f"tenders:{name}")).getvalue()
        return len(queries)

    names = ["tender-list-csv", "tender-list-json", "tender-list-ocds"]
    before = [count(name) for name in names]
    for _ in range(20):
        TenderFactory(types_of_care=[reablement], cpv_codes=[elderly_cpv])
    # The rows and the terms of their three lists; JSON adds its count, OCDS its
    # latest date; PostgreSQL turns JIT compilation off for the rows' query.
    expected = [4, 5, 5] if connection.vendor != "postgresql" else [5, 6, 6]
    assert [count(name) for name in names] == before == expected


def test_downloads_stream_rather_than_build_the_file_in_memory(client):
    TenderFactory()
    for name in ["tender-list-csv", "tender-list-json", "tender-list-ocds"]:
        assert client.get(reverse(f"tenders:{name}")).streaming, name
