"""Market pages, indicator comparisons and the council's "market at a glance"."""

import csv
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils import clock
from councils.models import (
    ENGLAND_GSS_CODE,
    CommissioningIntention,
    Indicator,
    IndicatorValue,
)
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    CommissioningIntentionFactory,
    CouncilFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    RateFactory,
    RegionFactory,
    ServiceTypeFactory,
    TenderFactory,
    TypeOfCareFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_care(db):
    return TypeOfCareFactory(
        name="Domiciliary care (home care)", slug="domiciliary-care"
    )


@pytest.fixture
def durham(db):
    return CouncilFactory(
        name="Durham County Council", slug="county-durham", gss_code="E06000047"
    )


@pytest.fixture
def north_tyneside(durham):
    return CouncilFactory(
        name="North Tyneside Council",
        slug="north-tyneside",
        gss_code="E08000022",
        region=durham.region,
    )


def recent():
    return clock.today() - timedelta(days=30)


@pytest.fixture
def admissions(home_care):
    return IndicatorFactory(
        name="Permanent admissions to care homes, aged 65 and over",
        slug="permanent-admissions-65",
        topic=Indicator.Topic.DEMAND,
        unit=Indicator.Unit.PER_100K,
        decimal_places=1,
        at_a_glance=True,
        types_of_care=[home_care],
    )


def figures_for(indicator, durham, values=("626.4", "738.6", "538.5")):
    codes = [durham.gss_code, durham.region.gss_code, ENGLAND_GSS_CODE]
    return [
        IndicatorValueFactory(
            indicator=indicator,
            area_code=code,
            period="2021/22",
            value=Decimal(value),
            as_at=recent(),
        )
        for code, value in zip(codes, values, strict=True)
    ]


def market_url(type_of_care, **query):
    return reverse("councils:market-detail", kwargs={"slug": type_of_care.slug})


def test_market_page_brings_intentions_figures_rates_arrangements_and_tenders_together(
    client, home_care, durham, north_tyneside, admissions
):
    figures_for(admissions, durham)
    CommissioningIntentionFactory(
        council=durham,
        type_of_care=home_care,
        direction="grow",
        summary="More home care in the more rural areas",
        where="more rural areas",
        how="A new **10-zone** framework.",
    )
    CommissioningIntentionFactory(
        council=north_tyneside,
        type_of_care=home_care,
        direction="remodel",
        summary="Home care built around reablement",
    )
    CommissioningIntentionFactory(
        council=durham, type_of_care=home_care, summary="Draft idea", status="draft"
    )
    framework = ArrangementFactory(
        council=durham, name="Home care framework", types_of_care=[home_care]
    )
    RateFactory(
        council=durham,
        type_of_care=home_care,
        arrangement=framework,
        description="Rural uplift per visit",
        amount=Decimal("3.00"),
    )
    TenderFactory(
        council=durham, title="Home care re-tender", types_of_care=[home_care]
    )
    TenderFactory(council=durham, title="A care home tender")

    response = client.get(market_url(home_care))

    assert response.status_code == 200
    text = response.text
    for expected in (
        "Domiciliary care (home care)",
        "More home care in the more rural areas",
        "Grow</strong>",
        "Remodel</strong>",
        "Home care built around reablement",
        "<strong>10-zone</strong>",
        "Permanent admissions to care homes, aged 65 and over",
        "626.4 per 100,000",
        "738.6 per 100,000",
        "538.5 per 100,000",
        "North East",
        "England",
        "Rural uplift per visit",
        "£3.00 per visit",
        "Home care framework",
        "Home care re-tender",
    ):
        assert expected in text, expected
    assert "Draft idea" not in text
    assert "A care home tender" not in text


def test_market_page_shows_only_the_councils_chosen(
    client, home_care, durham, north_tyneside
):
    CommissioningIntentionFactory(
        council=durham, type_of_care=home_care, summary="Durham's intention"
    )
    CommissioningIntentionFactory(
        council=north_tyneside, type_of_care=home_care, summary="North Tyneside's"
    )
    response = client.get(market_url(home_care), {"council": "north-tyneside"})
    assert response.status_code == 200
    assert "North Tyneside&#x27;s" in response.text
    assert "Durham&#x27;s intention" not in response.text


def test_market_page_with_an_unknown_council_explains_it_with_status_400(
    client, home_care
):
    response = client.get(market_url(home_care), {"council": "atlantis"})
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "There is no council “atlantis”" in response.text


def test_unknown_type_of_care_is_404(client, db):
    assert client.get("/markets/juggling/").status_code == 404


def test_market_page_with_no_data_says_so_in_words(client, home_care):
    response = client.get(market_url(home_care))
    assert response.status_code == 200
    for expected in (
        "No council has published a commissioning intention",
        "No figures about domiciliary care (home care) have been published",
        "No council has published rates",
        "No procurements for domiciliary care (home care) are planned",
    ):
        assert expected in response.text, expected


def test_market_list_links_every_type_of_care(client, home_care, durham):
    CommissioningIntentionFactory(council=durham, type_of_care=home_care)
    response = client.get(reverse("councils:market-list"))
    assert response.status_code == 200
    assert home_care.get_absolute_url() in response.text
    assert "1 council says what it wants" in response.text


def test_figure_past_its_expected_update_is_marked_may_be_out_of_date(
    client, durham, admissions
):
    fresh, _region, england = figures_for(admissions, durham)
    england.as_at = clock.today() - timedelta(days=400)
    england.save()
    response = client.get(admissions.get_absolute_url())
    assert response.text.count('govuk-tag--yellow">May be out of date') == 1
    assert england.out_of_date and not fresh.out_of_date


def test_monthly_figure_goes_out_of_date_sooner_than_an_annual_one(durham):
    monthly = IndicatorFactory(frequency=Indicator.Frequency.MONTHLY)
    value = IndicatorValueFactory(
        indicator=monthly,
        council=durham,
        period="January 2024",
        as_at=clock.today() - timedelta(days=40),
    )
    assert value.out_of_date
    value.indicator.frequency = Indicator.Frequency.ANNUAL
    assert not value.out_of_date


def test_indicator_page_compares_councils_with_region_and_england(
    client, durham, north_tyneside, admissions
):
    figures_for(admissions, durham)
    IndicatorValueFactory(
        indicator=admissions,
        council=north_tyneside,
        period="2021/22",
        value=Decimal("700.0"),
        as_at=recent(),
    )
    response = client.get(admissions.get_absolute_url(), {"sort": "highest"})
    assert response.status_code == 200
    latest = response.context["latest"]
    assert [v.area_name for v in latest] == [
        "North Tyneside Council",
        "Durham County Council",
        "North East",
        "England",
    ]
    assert (
        "North Tyneside Council has the highest (700.0 per 100,000, 2021/22), "
        "Durham County Council the lowest (626.4 per 100,000) against North East "
        "738.6 per 100,000 and England 538.5 per 100,000."
    ) in response.text
    assert 'aria-sort="descending"' in response.text
    assert "<svg" in response.text and 'role="img"' in response.text

    lowest = client.get(admissions.get_absolute_url(), {"sort": "lowest"})
    assert [v.area_name for v in lowest.context["latest"]][:2] == [
        "Durham County Council",
        "North Tyneside Council",
    ]


def test_indicator_page_with_a_bad_sort_explains_it_with_status_400(client, admissions):
    response = client.get(admissions.get_absolute_url(), {"sort": "sideways"})
    assert response.status_code == 400
    assert "“sideways” is not a way to sort" in response.text


def test_indicator_over_time_draws_projections_dashed(client, durham, admissions):
    for period, value, base in (("2018", "20.6", None), ("2043", "26.0", 2018)):
        IndicatorValueFactory(
            indicator=admissions,
            council=durham,
            period=period,
            value=Decimal(value),
            base_year=base,
            as_at=recent(),
        )
    response = client.get(admissions.get_absolute_url())
    assert "app-chart__line--projection" in response.text
    assert "Dashed lines and hollow points are projections" in response.text
    assert "2043 (projected, 2018-based)" in response.text
    assert "from 20.6 per 100,000 to 26.0 per 100,000 (projected)" in response.text


def test_indicator_without_figures_says_so(client, admissions):
    response = client.get(admissions.get_absolute_url())
    assert response.status_code == 200
    assert "There are no actual figures" in response.text
    assert "there is no trend to draw" in response.text


def test_market_and_council_pages_give_figures_in_the_topics_declared_order(
    client, durham, home_care
):
    # As the indicator list and an MPS give them: demand, supply, workforce,
    # spend, outcomes (not by the topics' stored values, "outcomes" first).
    names = {
        Indicator.Topic.OUTCOMES: "Delayed discharges per 100,000",
        Indicator.Topic.SPEND: "Gross spend on home care",
        Indicator.Topic.WORKFORCE: "Care worker vacancy rate",
        Indicator.Topic.SUPPLY: "Home care hours commissioned",
        Indicator.Topic.DEMAND: "People aged 65 and over",
    }
    for topic, name in names.items():
        indicator = IndicatorFactory(
            name=name, topic=topic, at_a_glance=True, types_of_care=[home_care]
        )
        figures_for(indicator, durham)
    declared = [names[topic] for topic in Indicator.Topic.values]
    for url in (market_url(home_care), durham.get_absolute_url()):
        text = client.get(url).text
        assert sorted(declared, key=text.index) == declared, url


def test_council_page_shows_the_market_at_a_glance(
    client, durham, home_care, admissions
):
    figures_for(admissions, durham)
    CommissioningIntentionFactory(
        council=durham,
        type_of_care=home_care,
        direction="grow",
        summary="More home care in rural areas",
    )
    response = client.get(durham.get_absolute_url())
    assert "The market at a glance" in response.text
    assert "626.4 per 100,000" in response.text
    assert "538.5 per 100,000" in response.text
    assert "More home care in rural areas" in response.text
    assert "Grow</strong>" in response.text


def test_glance_gives_each_areas_newest_actual_and_furthest_projection(
    client, durham, admissions
):
    # Each area's own newest: England's is a year on from the council's, the
    # region has only an older year. Projections are kept beside the actuals,
    # the furthest of them only.
    region, england = durham.region.gss_code, ENGLAND_GSS_CODE
    for code, period, value, base_year in (
        (durham.gss_code, "2020/21", "601.1", None),
        (durham.gss_code, "2021/22", "626.4", None),
        (durham.gss_code, "2030", "650.2", 2018),
        (durham.gss_code, "2040", "702.3", 2018),
        (region, "2020/21", "738.6", None),
        (england, "2021/22", "540.1", None),
        (england, "2022/23", "538.5", None),
        (england, "2040", "610.9", 2018),
    ):
        IndicatorValueFactory(
            indicator=admissions,
            area_code=code,
            period=period,
            value=Decimal(value),
            base_year=base_year,
            as_at=recent(),
        )
    response = client.get(durham.get_absolute_url())
    glance = response.context["glance"]
    shown = [
        tuple(
            figure and figure.value for figure in (row.council, row.region, row.england)
        )
        for row in glance
    ]
    assert shown == [
        (Decimal("626.4"), Decimal("738.6"), Decimal("538.5")),
        (Decimal("702.3"), None, Decimal("610.9")),
    ]
    # The two rows of one indicator say which is the projection.
    assert response.text.count('<span class="govuk-body-s">(projection)</span>') == 1
    projection_row = response.text.split("702.3")[0].rsplit("<tr", 1)[1]
    assert "(projection)" in projection_row
    # A figure that became the newest leaves the one before out.
    IndicatorValueFactory(
        indicator=admissions,
        area_code=durham.gss_code,
        period="2022/23",
        value=Decimal("633.0"),
        as_at=recent(),
    )
    glance = client.get(durham.get_absolute_url()).context["glance"]
    assert glance[0].council.value == Decimal("633.0")


def test_indicator_figures_download_carries_source_and_as_at_and_filters(
    client, durham, north_tyneside, admissions
):
    figures_for(admissions, durham)
    IndicatorValueFactory(
        indicator=admissions, council=north_tyneside, period="2021/22", as_at=recent()
    )
    response = client.get(
        reverse("councils:indicator-figures-csv"), {"council": "county-durham"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response).decode("utf-8-sig"))))
    assert {row["area"] for row in rows} == {
        "Durham County Council",
        "North East",
        "England",
    }
    assert rows[0]["source"] and rows[0]["as_at"] == recent().isoformat()
    data = json.loads(
        client.get(
            reverse("councils:indicator-figures-json"),
            {"indicator": "permanent-admissions-65"},
        ).getvalue()
    )
    assert data["meta"]["count"] == 4
    assert {"source", "as_at", "period", "value"} <= set(data["results"][0])


def test_intention_and_rate_downloads_respect_filters(
    client, durham, north_tyneside, home_care
):
    CommissioningIntentionFactory(council=durham, type_of_care=home_care)
    CommissioningIntentionFactory(council=north_tyneside, type_of_care=home_care)
    CommissioningIntentionFactory(council=durham, status="draft", summary="hidden")
    RateFactory(council=durham, type_of_care=home_care)
    RateFactory(council=north_tyneside, type_of_care=home_care)
    intentions = json.loads(
        client.get(
            reverse("councils:intention-list-json"),
            {"council": "county-durham", "type_of_care": "domiciliary-care"},
        ).getvalue()
    )
    assert [r["council"] for r in intentions["results"]] == ["Durham County Council"]
    rates = client.get(reverse("tenders:rate-list-csv"), {"council": "north-tyneside"})
    rows = list(csv.DictReader(io.StringIO(b"".join(rates).decode("utf-8-sig"))))
    assert [(r["council"], r["amount"], r["unit"]) for r in rows] == [
        ("North Tyneside Council", "3.0", "per visit")
    ]
    assert rows[0]["source"] and rows[0]["as_at"]


@pytest.mark.parametrize(
    "url_name",
    [
        "councils:indicator-figures-csv",
        "councils:intention-list-json",
        "tenders:rate-list-json",
    ],
)
def test_downloads_with_an_unknown_filter_value_answer_400(client, db, url_name):
    response = client.get(reverse(url_name), {"council": "atlantis"})
    assert response.status_code == 400
    assert "atlantis" in response.text


def test_csv_download_makes_formula_text_inert(client, durham, home_care):
    RateFactory(council=durham, type_of_care=home_care, description="=HYPERLINK(1)")
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("tenders:rate-list-csv"))).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert rows[0]["description"] == "'=HYPERLINK(1)"


def grow_market(home_care, councils):
    """Every kind of row a market page shows, for each council."""
    care = ServiceTypeFactory(name="Domiciliary care service")
    care.type_of_care = home_care
    care.save()
    for council in councils:
        indicator = IndicatorFactory(types_of_care=[home_care], at_a_glance=True)
        IndicatorValueFactory(indicator=indicator, council=council, as_at=recent())
        IndicatorValueFactory(
            indicator=indicator, area_code=council.region.gss_code, as_at=recent()
        )
        intention = CommissioningIntentionFactory(
            council=council, type_of_care=home_care
        )
        intention.sections.set([])
        framework = ArrangementFactory(council=council, types_of_care=[home_care])
        RateFactory(council=council, type_of_care=home_care, arrangement=framework)
        TenderFactory(council=council, types_of_care=[home_care])
        CareServiceFactory(council=council, service_types=[care])


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_market_page_queries_do_not_grow_with_councils_and_their_rows(
    client, home_care
):
    region = RegionFactory()
    first = CouncilFactory(region=region)
    grow_market(home_care, [first])
    # The region's councils chosen: the factories add councils of their own, and
    # beyond COMPARE_MAX councils with none chosen the page only summarises.
    one = queries_for(client, market_url(home_care) + f"?council={first.slug}")
    more = [CouncilFactory(region=region) for _ in range(6)]
    grow_market(home_care, more)
    chosen = "&".join(f"council={c.slug}" for c in [first, *more])
    many = queries_for(client, market_url(home_care) + "?" + chosen)
    assert one == many


def test_indicator_page_queries_do_not_grow_with_councils(client, admissions):
    region = RegionFactory()
    councils = [CouncilFactory(region=region)]
    for council in councils:
        IndicatorValueFactory(indicator=admissions, council=council, as_at=recent())
    one = queries_for(client, admissions.get_absolute_url())
    for _ in range(8):
        council = CouncilFactory(region=region)
        for period in ("2020", "2021", "2022"):
            IndicatorValueFactory(
                indicator=admissions, council=council, period=period, as_at=recent()
            )
    many = queries_for(client, admissions.get_absolute_url())
    assert one == many


def test_council_page_queries_do_not_grow_with_its_own_figures_and_intentions(
    client, home_care
):
    council = CouncilFactory()
    grow_market(home_care, [council])
    one = queries_for(client, council.get_absolute_url())
    for _ in range(6):
        grow_market(home_care, [council])
    many = queries_for(client, council.get_absolute_url())
    assert one == many


def test_tender_and_arrangement_pages_link_their_types_of_care_to_market_pages(
    client, durham, home_care
):
    tender = TenderFactory(council=durham, types_of_care=[home_care])
    arrangement = ArrangementFactory(council=durham, types_of_care=[home_care])
    for page in (tender, arrangement):
        response = client.get(page.get_absolute_url())
        assert f'href="{home_care.get_absolute_url()}"' in response.text


def test_market_page_shows_key_figures_about_the_whole_of_care_too(
    client, durham, home_care
):
    general = IndicatorFactory(name="Population aged 65+ growth", at_a_glance=True)
    background = IndicatorFactory(name="Depression prevalence", at_a_glance=False)
    other_market = IndicatorFactory(
        name="Extra care sites", types_of_care=[TypeOfCareFactory()]
    )
    for indicator in (general, background, other_market):
        IndicatorValueFactory(indicator=indicator, council=durham, as_at=recent())
    response = client.get(market_url(home_care))
    assert "Population aged 65+ growth" in response.text
    assert "Depression prevalence" not in response.text
    assert "Extra care sites" not in response.text


def test_each_figure_names_its_source_linked_escaped_and_dated(
    client, durham, admissions
):
    fresh, _region, england = figures_for(admissions, durham)
    fresh.source_name = "Durham <MPS> & notes"
    fresh.source_url = "https://example.org/mps?year=2024&part=1"
    fresh.as_at = date(2025, 3, 1)
    fresh.save()
    england.as_at = clock.today() - timedelta(days=400)
    england.save()
    response = client.get(admissions.get_absolute_url())
    assert (
        '<a class="govuk-link" href="https://example.org/mps?year=2024&amp;part=1">'
        'Durham &lt;MPS&gt; &amp; notes</a>, as at <time datetime="2025-03-01">'
        "March 2025</time>\n"
    ) in response.text
    dated = (
        f'{england.source_name}, as at <time datetime="{england.as_at:%Y-%m-%d}">'
        f"{england.as_at:%B %Y}</time>"
    )
    tag = ' <strong class="govuk-tag govuk-tag--yellow">May be out of date</strong>'
    # Tagged in the latest figures, not in the table of every figure (hide_age).
    assert response.text.count(f"{dated}{tag}\n") == 1
    assert response.text.count(f"{dated}\n") == 1


def test_figure_tables_are_the_markup_of_the_figures_table_template(
    durham, admissions, home_care
):
    """``{% figure_tables %}`` writes what ``figures_table.html`` would, every
    value escaped, for several indicators, notes, projections and no caption."""
    fresh, _region, _england = figures_for(admissions, durham)
    fresh.notes = 'Counted <again> & "revised"'
    fresh.source_url = "https://example.org/?a=1&b=2"
    fresh.save()
    awkward = IndicatorFactory(
        name='Beds <"quoted"> & more',
        slug="beds-and-more",
        definition="Beds & <things>.",
        unit=Indicator.Unit.GBP_MILLION,
        types_of_care=[home_care],
    )
    IndicatorValueFactory(
        indicator=awkward,
        area_code=durham.gss_code,
        value=Decimal("1234567.5"),
        period="2030",
        base_year=2022,
    )
    figures = list(
        IndicatorValue.objects.filter(indicator__in=[admissions, awkward])
        .latest()
        .in_comparison_order()
    )
    for caption in ["Home care & <support>", ""]:
        context = {"figures": figures, "caption": caption}
        included = Template(
            '{% include "councils/includes/figures_table.html" %}'
        ).render(Context(context))
        written = Template(
            "{% load councils %}{% figure_tables figures caption=caption %}"
        ).render(Context(context))
        assert written == included
    assert "Beds &lt;&quot;quoted&quot;&gt; &amp; more" in written
    assert "Counted &lt;again&gt; &amp; &quot;revised&quot;" in written


def test_indicator_page_lists_regions_by_name_in_both_tables(client, admissions):
    """Regions come after councils and before England, by name, in the latest
    figures and in every figure over time, whatever order they were added in."""
    names = ["Yorkshire and The Humber", "London", "North East"]
    for number, name in enumerate(names):
        region = RegionFactory(
            name=name, slug=f"region-{number}", gss_code=f"E1200000{number + 1}"
        )
        council = CouncilFactory(
            name=f"{name} Council", gss_code=f"E0600010{number}", region=region
        )
        for code, value in ((council.gss_code, "500.0"), (region.gss_code, "600.0")):
            for period in ("2020/21", "2021/22"):
                IndicatorValueFactory(
                    indicator=admissions,
                    council=council,  # the factory would make one per figure
                    area_code=code,
                    period=period,
                    value=Decimal(value),
                    as_at=recent(),
                )
    regions = ["London", "North East", "Yorkshire and The Humber"]
    for sort in ("area", "highest", "lowest"):
        response = client.get(admissions.get_absolute_url(), {"sort": sort})
        assert response.status_code == 200
        latest = [v.area_name for v in response.context["latest"]]
        assert latest[3:6] == regions, sort
    series = [v.area_name for v in response.context["series"]]
    assert series[6:] == [name for name in regions for _period in range(2)]


def test_council_page_intention_rows_give_direction_tag_where_and_escaping(
    client, gateshead
):
    care = TypeOfCareFactory(name="Day & night care", slug="day-care")
    working = CommissioningIntentionFactory(
        council=gateshead,
        type_of_care=care,
        direction=CommissioningIntention.Direction.REDUCE,
        summary="Fewer <large> homes",
        where="East & west",
    )
    live = CommissioningIntention.live.get(live_of=working)
    text = client.get(gateshead.get_absolute_url()).text
    assert (
        f'\n    <tr class="govuk-table__row" role="row" id="intention-{live.pk}">\n'
        '      <th scope="row" class="govuk-table__header" role="rowheader"><a '
        'class="govuk-link" href="/markets/day-care/?council=gateshead#intention-'
        f'{working.pk}">Day &amp; night care</a></th>\n'
        '      <td class="govuk-table__cell" role="cell" data-label="Direction">\n'
        '<strong class="govuk-tag app-direction govuk-tag--orange">Reduce</strong>\n'
        "</td>\n"
        '      <td class="govuk-table__cell" role="cell" '
        'data-label="What the council wants">Fewer &lt;large&gt; homes<span '
        'class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">'
        "Where: East &amp; west</span></td>\n"
        "    </tr>\n"
    ) in text


def test_indicator_list_groups_by_topic_in_the_topics_order_with_area_counts(
    client, durham
):
    """Topics as declared (demand, supply, ..., outcomes), not by their stored
    values, and each indicator's count of areas with figures, however many
    periods each area has."""
    outcomes = IndicatorFactory(
        name="Life expectancy, men", topic=Indicator.Topic.OUTCOMES, position=1
    )
    IndicatorFactory(name="Spend on carers", topic=Indicator.Topic.SPEND, position=1)
    later = IndicatorFactory(
        name="Unpaid carers", topic=Indicator.Topic.DEMAND, position=2
    )
    IndicatorFactory(name="Dementia", topic=Indicator.Topic.DEMAND, position=1)
    for period in ("2022", "2023"):
        IndicatorValueFactory(indicator=later, council=durham, period=period)
    IndicatorValueFactory(indicator=later, area_code=ENGLAND_GSS_CODE, period="2023")
    IndicatorValueFactory(indicator=outcomes, council=durham, period="2023")
    text = client.get(reverse("councils:indicator-list")).text
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', text)
    assert headings == ["Demand and need", "Spend", "Health and outcomes"]
    names = re.findall(r'href="/indicators/[^/]+/">([^<]+)</a>', text)
    assert names == [
        "Dementia",
        "Unpaid carers",
        "Spend on carers",
        "Life expectancy, men",
    ]
    assert "Figures for 2 areas" in text
    assert "Figures for 1 area." in text
