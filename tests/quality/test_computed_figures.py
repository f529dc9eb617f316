"""Quality figures worked out from CQC's files for every council, the region and
England, with their counts, method and source date."""

import html
import json
import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    CareServiceFactory,
    CqcBenchmarkFactory,
    ServiceTypeFactory,
    TypeOfCareFactory,
)
from tests.providers.conftest import DATA

pytestmark = pytest.mark.django_db
ACTIVE = DATA / "01_November_2025_HSCA_Active_Locations.ods"


@pytest.fixture
def types_of_care(db):
    return {
        "residential-care": TypeOfCareFactory(
            slug="residential-care", name="Residential care", setting="care_home"
        ),
        "nursing-care": TypeOfCareFactory(
            slug="nursing-care", name="Nursing care", setting="care_home"
        ),
        "domiciliary-care": TypeOfCareFactory(
            slug="domiciliary-care", name="Domiciliary care", setting="community"
        ),
    }


@pytest.fixture
def imported(north_east_councils, types_of_care):
    call_command("import_cqc_ratings", str(ACTIVE), stdout=StringIO())
    return north_east_councils


def figures(response, title):
    groups = response.context["computed"].by_setting
    groups += response.context["computed"].by_type_of_care
    group = next(g for g in groups if g.title == title)
    return {f.area: (f.good, f.judged, f.percent) for f in group.figures}


def test_council_page_shows_council_region_and_england_with_the_files_date(
    client, imported
):
    response = client.get("/quality/gateshead/")
    assert figures(response, "Care homes") == {
        "Gateshead Council": (1, 1, 100),
        "North East": (1, 1, 100),
        "England": (2, 2, 100),
    }
    assert figures(response, "Community-based services") == {
        "Gateshead Council": (0, 0, None),
        "North East": (0, 1, 0),
        "England": (0, 1, 0),
    }
    text = html.unescape(response.text)
    assert (
        "Source: CQC's care directory with filters file produced on 1 November 2025"
        in text
    )
    assert "as at 1 November 2025" in text


def test_council_page_shows_figures_per_type_of_care(client, imported):
    response = client.get("/quality/county-durham/")
    assert figures(response, "Domiciliary care") == {
        "Durham County Council": (0, 1, 0),
        "North East": (0, 1, 0),
        "England": (0, 1, 0),
    }
    assert figures(response, "Nursing care")["North East"] == (1, 1, 100)


def test_every_council_appears_on_the_overview(client, imported):
    response = client.get("/quality/")
    care_homes = figures(response, "Care homes")
    assert set(care_homes) == {
        "Durham County Council",
        "Gateshead Council",
        "Newcastle City Council",
        "Sunderland City Council",
        "North East",
        "England",
    }


def test_a_councils_own_figure_stays_and_is_labelled_as_its_own(client, imported):
    CqcBenchmarkFactory(council=imported["gateshead"], council_percent="81.6")
    text = html.unescape(client.get("/quality/gateshead/").text)
    assert "81.6%" in text
    assert "Rated good or outstanding, worked out from CQC's files" in text


def test_download_has_every_figure_with_method_and_source(client, imported):
    CqcBenchmarkFactory(council=imported["gateshead"], council_percent="81.6")
    data = json.loads(client.get("/quality/figures.json").content)
    assert "divided by services rated Outstanding, Good" in data["method"]
    england = next(
        row
        for row in data["figures"]
        if row["area"] == "England" and row["setting_or_type_of_care"] == "Care homes"
    )
    assert england["good_or_outstanding"] == 2
    assert england["rated"] == 2
    assert england["as_at"] == "2025-11-01"
    assert "produced on 1 November 2025" in england["source"]
    own = [r for r in data["figures"] if r["figure"] != "computed"]
    assert own[0]["figure"] == "the council's own published figure"
    csv_text = client.get("/quality/figures.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("area,area_type,gss_code")
    assert "North East,region,E12000001,Care homes,1,1,100.0,computed" in csv_text


def test_type_of_care_tag_gives_the_market_pages_per_council_figures(imported):
    html = Template("{% load quality %}{% type_of_care_quality type_of_care %}").render(
        Context({"type_of_care": imported and _type("domiciliary-care")})
    )
    assert "Domiciliary care: rated good or outstanding by CQC" in html
    assert "Durham County Council" in html


def _type(slug):
    from councils.models import TypeOfCare

    return TypeOfCare.objects.get(slug=slug)


def test_the_queryset_method_counts_one_type_of_care_per_council(imported):
    from providers.models import CareService

    counts = CareService.objects.good_or_outstanding_by_council(
        type_of_care=_type("nursing-care")
    )
    assert counts == {imported["gateshead"].pk: (1, 1)}


def test_overview_queries_stay_the_same_as_services_grow(
    client, north_east_councils, types_of_care, django_assert_num_queries
):
    home = ServiceTypeFactory(
        name="Care home service with nursing",
        type_of_care=types_of_care["nursing-care"],
    )

    def add(number):
        CareServiceFactory(
            council=north_east_councils["gateshead"],
            care_home=True,
            rating="good",
            rating_published_on=date(2025, 1, 1),
            cqc_location_id=f"1-{100000000 + number}",
            service_types=[home],
        )

    add(0)
    with CaptureQueriesContext(connection) as one:
        client.get("/quality/")
        client.get("/quality/gateshead/")
    for number in range(1, 30):
        add(number)
    with django_assert_num_queries(len(one)):
        response = client.get("/quality/")
        client.get("/quality/gateshead/")
    assert figures(response, "Care homes")["Gateshead Council"] == (30, 30, 100)


def market_rows(text: str) -> dict[str, list[str]]:
    """The market page's quality table, row heading -> cells."""
    table = text.split('id="cqc-quality"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in table.split("<tbody", 1)[1].split("<tr")[1:]:
        heading = re.sub(r"<[^>]+>", "", row.split("</th>", 1)[0].split(">", 1)[1])
        cells = [
            re.sub(r"<[^>]+>", " ", cell.split(">", 1)[1]).split()
            for cell in row.split("<td")[1:]
        ]
        rows[heading.strip()] = [" ".join(c).replace(" </td", "") for c in cells]
    return rows


def test_market_page_has_one_quality_table_with_region_england_and_the_files_date(
    client, imported
):
    response = client.get("/markets/domiciliary-care/?council=county-durham")
    text = html.unescape(response.content.decode())
    section = text.split('id="services"', 1)[1].split('id="download"', 1)[0]
    assert section.count("<table") == 1
    assert text.count("good or outstanding") == section.count("good or outstanding")
    assert (
        "Domiciliary care: services in the directory and the share rated good or "
        in (section)
    )
    assert "file produced on 1 November 2025" in section
    assert "divided by services rated Outstanding, Good" in section
    rows = market_rows(text)
    assert list(rows) == ["Durham County Council", "North East (all)", "England (all)"]
    assert rows["England (all)"][0] == "Not in the directory"
    for cells in rows.values():
        # Services, good or outstanding, rated, percentage: no own-figure column.
        assert len(cells) == 4
    assert "own published figure" not in section.split("</table>", 1)[0]


def test_market_quality_table_labels_a_councils_own_figure_as_its_own(client, imported):
    CqcBenchmarkFactory(
        council=imported["county-durham"],
        setting="community",
        council_percent="77.0",
        source="Durham's MPS",
    )
    CqcBenchmarkFactory(council=imported["county-durham"], council_percent="90.0")

    response = client.get(
        "/markets/domiciliary-care/?council=county-durham&council=gateshead"
    )

    text = html.unescape(response.content.decode())
    assert (
        "Council's own published figure (community-based services)"
        in text.split('id="cqc-quality"', 1)[1]
    )
    rows = market_rows(text)
    assert rows["Durham County Council"][-1].startswith("77.0% as at December 2023")
    assert rows["Gateshead Council"][-1] == "None published"
    assert rows["England (all)"][-1] == "Not applicable"
    # The care homes figure is for another setting, so not on this market's table.
    assert "90.0%" not in text
    assert "as the council published it for all its community-based services" in text


def test_market_summary_leaves_out_services_that_left_cqcs_register(client, imported):
    from providers.models import CareService

    CareService.objects.filter(cqc_location_id="1-000000002").update(
        deregistered_on=date(2025, 11, 1)
    )
    text = client.get("/markets/domiciliary-care/").content.decode()
    services = text.split('id="services"', 1)[1].split("</table>", 1)[0]
    assert "No CQC ratings recorded" in services
    assert "0 of 1 rated" not in services
