"""Public quality pages: CQC figures with source and date, charts, frameworks."""

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import (
    CareServiceFactory,
    CqcBenchmarkFactory,
    QualityFrameworkFactory,
    ServiceTypeFactory,
    make_assessment,
)

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("quality:overview")


def council_page(council):
    return reverse("quality:council-quality", args=[council.slug])


def test_council_chart_is_an_accessible_svg_with_the_numbers_in_a_table(
    client, gateshead
):
    CqcBenchmarkFactory(council=gateshead, setting="care_homes")
    response = client.get(council_page(gateshead))
    assert response.status_code == 200
    svg = re.search(r"<svg class=\"app-chart\".*?</svg>", response.text, re.S).group()
    assert 'role="img"' in svg
    assert 'aria-labelledby="council-cqc-title council-cqc-desc"' in svg
    assert '<title id="council-cqc-title">' in svg
    # Every bar names its value and series in words, not colour alone.
    for text in ("81.6% Gateshead Council", "87.4% North East", "77.8% England"):
        assert text in svg
    assert "style=" not in svg
    table = response.text[response.text.index("The same figures as a table") :]
    for figure in ("81.6%", "87.4%", "77.8%"):
        assert figure in table


def test_bar_lengths_are_to_scale(client, gateshead):
    CqcBenchmarkFactory(
        council=gateshead,
        council_percent="50.0",
        region_percent="100.0",
        england_percent="25.0",
    )
    svg = client.get(council_page(gateshead)).text
    widths = re.findall(
        r'<rect class="app-chart__bar--\w+" x="0" y="\d+" width="(\d+)"', svg
    )
    assert [int(w) for w in widths] == [190, 380, 95]


def test_every_figure_shows_its_source_and_month(client, gateshead):
    CqcBenchmarkFactory(council=gateshead, source="CQC ratings via the Gateshead MPS")
    text = client.get(council_page(gateshead)).text
    assert "CQC ratings via the Gateshead MPS" in text
    assert "December 2023" in text


def test_figures_older_than_the_configured_age_may_be_out_of_date(
    client, gateshead, settings
):
    CqcBenchmarkFactory(council=gateshead, as_at=date(2023, 12, 1))
    settings.QUALITY_FIGURE_MAX_AGE_DAYS = 100_000
    assert "May be out of date" not in client.get(council_page(gateshead)).text
    settings.QUALITY_FIGURE_MAX_AGE_DAYS = 30
    assert "May be out of date" in client.get(council_page(gateshead)).text


def test_only_the_latest_figure_per_setting_is_shown(client, gateshead):
    CqcBenchmarkFactory(
        council=gateshead, as_at=date(2022, 12, 1), council_percent="70.1"
    )
    CqcBenchmarkFactory(
        council=gateshead, as_at=date(2023, 12, 1), council_percent="81.6"
    )
    CqcBenchmarkFactory(
        council=gateshead,
        setting="community",
        as_at=date(2021, 6, 1),
        council_percent="90.2",
    )
    # Another council's newer figure is not this council's.
    CqcBenchmarkFactory(as_at=date(2024, 6, 1), council_percent="55.5")
    for page in (council_page(gateshead), gateshead.get_absolute_url()):
        text = client.get(page).text
        assert "81.6%" in text and "90.2%" in text, page
        assert "70.1%" not in text and "55.5%" not in text, page
        assert text.index("81.6%") < text.index("90.2%"), page


def test_computed_figures_show_numerator_denominator_and_method(client, gateshead):
    ratings = ("outstanding", "good", "good", "requires_improvement")
    for number, rating in enumerate(ratings, start=10):
        CareServiceFactory(
            council=gateshead,
            care_home=True,
            rating=rating,
            rating_published_on=date(2024, 5, 1),
            cqc_location_id=f"1-0000000{number}",
        )
    # Left out: not rated, unregulated, and demo services.
    CareServiceFactory(
        council=gateshead,
        care_home=True,
        rating="not_rated",
        cqc_location_id="1-000000020",
    )
    CareServiceFactory(council=gateshead, care_home=True, rating="inadequate")
    CareServiceFactory(
        council=gateshead, care_home=True, rating="inadequate", is_demo=True
    )
    response = client.get(council_page(gateshead))
    figure = response.context["computed"].by_setting[0].figures[0]
    assert (figure.area, figure.good, figure.judged) == ("Gateshead Council", 3, 4)
    assert figure.percent == 75
    assert figure.as_at == date(2024, 5, 1)
    text = response.text
    assert (
        "divided by services rated Outstanding, Good, Requires improvement, Inadequate"
        in text
    )
    assert "75.0%" in text
    assert "1 May 2024" in text


def test_computed_figures_without_any_rating_say_so_instead_of_a_table_of_zeros(
    client, gateshead
):
    CareServiceFactory(council=gateshead, care_home=True, rating="not_rated")
    text = client.get(council_page(gateshead)).text
    assert "No CQC ratings are recorded for Gateshead Council or North East yet" in text
    assert "Care homes: rated good or outstanding, as at" not in text

    CareServiceFactory(
        council=gateshead,
        care_home=True,
        rating="good",
        rating_published_on=date(2024, 5, 1),
        cqc_location_id="1-000000099",
    )
    text = client.get(council_page(gateshead)).text
    assert "No CQC ratings are recorded" not in text
    assert "Care homes: rated good or outstanding, as at" in text


def test_regional_comparison_charts_every_council(client, gateshead, darlington):
    CqcBenchmarkFactory(council=gateshead, council_percent="81.6")
    CqcBenchmarkFactory(council=darlington, council_percent="84.2")
    CqcBenchmarkFactory(council=darlington, setting="community", council_percent="70.0")
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    text = response.text
    assert (
        'aria-labelledby="regional-care_homes-title regional-care_homes-desc"' in text
    )
    assert "81.6% Gateshead Council" in text
    assert "84.2% Darlington Borough Council" in text
    assert "70.0% Darlington Borough Council" in text


def test_overview_query_count_does_not_grow_with_councils(
    client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CouncilFactory

    CqcBenchmarkFactory(council=CouncilFactory())
    with CaptureQueriesContext(connection) as one:
        client.get(OVERVIEW)
    for _ in range(4):
        council = CouncilFactory()
        CqcBenchmarkFactory(council=council)
        CqcBenchmarkFactory(council=council, setting="community")
        QualityFrameworkFactory(council=council)
    with django_assert_num_queries(len(one)):
        client.get(OVERVIEW)


def test_framework_shows_themes_scale_and_labelled_thresholds(client, gateshead):
    QualityFrameworkFactory(
        council=gateshead,
        amber_from=13,
        green_from=18,
        thresholds_note="Demo thresholds: not Gateshead's own.",
    )
    text = client.get(council_page(gateshead)).text
    assert "Theme 1" in text
    assert "Partially met" in text
    assert "A total of 18 or more is" in text
    assert "13 to 17 is" in text
    assert "Demo thresholds: not Gateshead&#x27;s own." in text


def test_rag_summary_counts_each_services_latest_assessment_by_type(client, gateshead):
    framework = QualityFrameworkFactory(council=gateshead)
    home_type = ServiceTypeFactory(name="Care home service with nursing")
    home = CareServiceFactory(council=gateshead, service_types=[home_type])
    make_assessment(framework, home, (1, 1, 1, 1, 1), assessed_on=date(2023, 1, 1))
    make_assessment(framework, home, (3, 3, 3, 3, 3), assessed_on=date(2024, 1, 1))
    other = CareServiceFactory(council=gateshead, service_types=[home_type])
    make_assessment(
        framework, other, (1, 1, 1, 1, 1), observation_score=1, consultation_score=1
    )
    response = client.get(council_page(gateshead))
    summary = response.context["summary"]
    assert summary.rows == [("Care home service with nursing", [1, 0, 1, 0], 2)]
    assert summary.totals == [1, 0, 1, 0]
    assert "Services by their latest RAG status (2 services" in response.text


def test_council_page_shows_the_quality_figures_through_the_template_tag(
    client, gateshead
):
    CqcBenchmarkFactory(council=gateshead)
    text = client.get(gateshead.get_absolute_url()).text
    assert 'id="quality"' in text
    assert "81.6%" in text
    assert "December 2023" in text
    assert council_page(gateshead) in text


def test_unknown_council_quality_page_is_404(client, db):
    response = client.get(reverse("quality:council-quality", args=["atlantis"]))
    assert response.status_code == 404


def test_quality_appears_in_the_navigation(client, db):
    assert f'href="{OVERVIEW}"' in client.get(reverse("home")).text
