"""The council page's quality panel: figures worked out from CQC's files for the
council, the North East and England, with method and the file's date, and the
council's own published figures beside them only where it has any."""

import datetime
import html
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tests.factories import CqcBenchmarkFactory
from tests.providers.conftest import DATA

pytestmark = pytest.mark.django_db
ACTIVE = DATA / "01_November_2025_HSCA_Active_Locations.ods"
CAPTION = "Services rated good or outstanding by CQC"


def panel_rows(page: str) -> list[list[str]]:
    section = page.split('id="quality"', 1)[1]
    table = section.split("</table>", 1)[0]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


@pytest.fixture
def imported(north_east_councils):
    call_command("import_cqc_ratings", str(ACTIVE), stdout=StringIO())
    return north_east_councils


def test_the_panel_shows_computed_figures_for_council_region_and_england(
    client, imported
):
    page = html.unescape(client.get("/councils/county-durham/").text)
    assert panel_rows(page) == [
        ["Setting", "Durham County Council", "North East", "England"],
        [
            "Care homes",
            "No rated services",
            "100.0% 1 of 1 rated",
            "100.0% 2 of 2 rated",
        ],
        [
            "Community-based services",
            "0.0% 0 of 1 rated",
            "0.0% 0 of 1 rated",
            "0.0% 0 of 1 rated",
        ],
    ]
    assert (
        f"{CAPTION}, worked out from CQC's care directory with filters file produced "
        "on 1 November 2025" in page
    )
    assert (
        "How these are worked out: Services rated Outstanding or Good divided" in page
    )
    assert "own published figure" not in page


@time_machine.travel(datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC))
def test_the_councils_own_figure_is_beside_the_computed_one_where_it_exists(
    client, imported
):
    # December 2023 is more than a year before the day the page is read.
    CqcBenchmarkFactory(council=imported["gateshead"], council_percent="81.6")
    page = html.unescape(client.get("/councils/gateshead/").text)
    rows = panel_rows(page)
    assert rows[0] == [
        "Setting",
        "Gateshead Council",
        "North East",
        "England",
        "Gateshead Council's own published figure",
    ]
    assert rows[1] == [
        "Care homes",
        "100.0% 1 of 1 rated",
        "100.0% 1 of 1 rated",
        "100.0% 2 of 2 rated",
        "81.6% as at December 2023 May be out of date",
    ]
    assert rows[2][-1] == "None published"
    assert "Source: CQC ratings, as published in the council's MPS." in page
    # Another council's page shows no column for figures it never published.
    other = html.unescape(client.get("/councils/sunderland/").text)
    assert "own published figure" not in other


def test_without_cqc_ratings_the_panel_says_so_and_keeps_the_councils_own(
    client, north_east_councils
):
    CqcBenchmarkFactory(council=north_east_councils["gateshead"])
    page = html.unescape(client.get("/councils/gateshead/").text)
    assert "No CQC ratings are recorded for Gateshead Council yet" in page
    assert "Gateshead Council's own published figures: services rated good" in page
    assert "81.6%" in page
