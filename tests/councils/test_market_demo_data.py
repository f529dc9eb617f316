"""The demo's market figures, intentions and rates: the councils' own words and
numbers, each with its source and date, loaded as the portal would store them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from councils.models import (
    CommissioningIntention,
    Indicator,
    IndicatorValue,
    TypeOfCare,
)
from tenders.models import Rate

pytestmark = pytest.mark.django_db

DURHAM = "E06000047"
NORTH_TYNESIDE = "E08000022"
NORTH_EAST = "E12000001"
ENGLAND = "E92000001"
DURHAM_MPS = "Durham County Council, Integrated Market Position Statement 2023/25"
DURHAM_AS_AT = date(2024, 2, 1)
NT_STRATEGY = "North Tyneside Council, Adult Social Care Strategy 2025-2026"
NT_AS_AT = date(2025, 1, 20)
DERIVED = ("council_id", "region_id", "period_kind", "period_start", "period_end")

# (indicator, area, period, projection base year, value as the seed gives it)
SEED_FIGURES = [
    ("population-65-plus-growth", DURHAM, "2043", 2018, "34"),
    ("population-85-plus-growth", DURHAM, "2043", 2018, "93"),
    ("population-65-plus-share", DURHAM, "2018", None, "20.6"),
    ("population-65-plus-share", DURHAM, "2043", 2018, "26"),
    ("care-home-occupancy-older-people", DURHAM, "January 2024", None, "86"),
    ("intermediate-care-block-beds", DURHAM, "2024", None, "60"),
    ("permanent-admissions-care-homes", DURHAM, "2021/22", None, "626.4"),
    ("permanent-admissions-care-homes", ENGLAND, "2021/22", None, "538.5"),
    ("permanent-admissions-care-homes", NORTH_EAST, "2021/22", None, "738.6"),
    ("unpaid-carers", DURHAM, "2021", None, "52700"),
    ("spend-adult-social-care-providers", DURHAM, "2022/23", None, "190"),
    ("spend-childrens-social-care-providers", DURHAM, "2022/23", None, "59"),
    ("spend-direct-payments-adults", DURHAM, "2022/23", None, "11"),
    ("spend-direct-payments-children", DURHAM, "2022/23", None, "475000"),
    ("life-expectancy-men", DURHAM, "2020", None, "77.7"),
    ("life-expectancy-men", ENGLAND, "2020", None, "79.4"),
    ("life-expectancy-women", DURHAM, "2020", None, "81.2"),
    ("life-expectancy-women", ENGLAND, "2020", None, "83.1"),
    ("healthy-life-expectancy-men", DURHAM, "2020", None, "58.8"),
    ("healthy-life-expectancy-men", ENGLAND, "2020", None, "63.1"),
    ("healthy-life-expectancy-women", DURHAM, "2020", None, "59.9"),
    ("healthy-life-expectancy-women", ENGLAND, "2020", None, "63.9"),
    ("send-pupils", DURHAM, "2024", None, "18.6"),
    ("send-pupils", ENGLAND, "2024", None, "16.5"),
    ("send-pupils", NORTH_EAST, "2024", None, "17.6"),
    ("dementia-65-plus", DURHAM, "2024", None, "7000"),
    ("dementia-65-plus", DURHAM, "2035", 2024, "12000"),
    ("falls-admissions-65-plus", DURHAM, "2021/22", None, "2801"),
    ("falls-admissions-65-plus", ENGLAND, "2021/22", None, "2100"),
    ("falls-admissions-65-plus", NORTH_EAST, "2021/22", None, "2531"),
    ("population-75-plus-growth", NORTH_TYNESIDE, "2030", 2020, "31"),
]

# (council, type of care, direction) for the markets the issue names.
MAIN_MARKET_INTENTIONS = [
    ("county-durham", "domiciliary-care", "maintain"),
    ("county-durham", "residential-care", "maintain"),
    ("county-durham", "supported-living", "grow"),
    ("county-durham", "extra-care", "grow"),
    ("north-tyneside", "domiciliary-care", "grow"),
    ("north-tyneside", "residential-care", "reduce"),
]


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it.

    Each test still runs in its own savepoint (the ``db`` fixture), so what one
    test changes the next never sees.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_data", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once, db):
    return None


def market_counts():
    models = (
        TypeOfCare,
        Indicator,
        Indicator.types_of_care.through,
        IndicatorValue,
        CommissioningIntention,
        CommissioningIntention.sections.through,
        Rate,
    )
    return [model.objects.count() for model in models]


def test_loading_the_market_demo_twice_adds_nothing(demo):
    before = market_counts()
    call_command("load_demo_data", verbosity=0)
    assert market_counts() == before
    assert all(before)


def test_every_demo_figure_keeps_its_derived_fields_when_saved_again(demo):
    values = list(IndicatorValue.objects.all())
    stored = {v.pk: tuple(getattr(v, name) for name in DERIVED) for v in values}
    for value in values:
        value.save()
    resaved = {
        v.pk: tuple(getattr(v, name) for name in DERIVED)
        for v in IndicatorValue.objects.all()
    }
    assert resaved == stored
    # The check covers every kind of area and period the demo uses.
    assert {(v.council_id is not None, v.region_id is not None) for v in values} == {
        (True, False),
        (False, True),
        (False, False),
    }
    assert {v.period_kind for v in values} == {"year", "financial_year", "month"}


def test_every_demo_figure_intention_and_rate_passes_the_admins_checks(demo):
    rows = [
        *IndicatorValue.objects.all(),
        *CommissioningIntention.objects.all(),
        *Rate.objects.all(),
    ]
    for row in rows:
        row.full_clean()
    assert len(rows) > 50


def test_the_seed_figures_are_there_as_the_councils_publish_them(demo):
    missing = []
    for slug, area, period, base_year, value in SEED_FIGURES:
        found = IndicatorValue.objects.filter(
            indicator__slug=slug,
            area_code=area,
            period=period,
            base_year=base_year,
            value=Decimal(value),
        )
        if not found.exists():
            missing.append((slug, area, period, value))
    assert missing == []


def test_durhams_care_home_admissions_sit_beside_england_and_the_north_east(demo):
    values = IndicatorValue.objects.filter(
        indicator__slug="permanent-admissions-care-homes", period="2021/22"
    )
    by_area = {v.area_name: v for v in values}
    assert {area: v.value for area, v in by_area.items()} == {
        "Durham County Council": Decimal("626.4"),
        "England": Decimal("538.5"),
        "North East": Decimal("738.6"),
    }
    durham = by_area["Durham County Council"]
    assert durham.council.slug == "county-durham"
    assert by_area["North East"].region.gss_code == NORTH_EAST
    assert {(v.source_name, v.as_at) for v in values} == {(DURHAM_MPS, DURHAM_AS_AT)}
    assert durham.indicator.format(durham.value) == "626.4 per 100,000"


def test_every_demo_figure_names_its_councils_document_and_date(demo):
    sources = {
        (v.area_code == NORTH_TYNESIDE, v.source_name, v.as_at)
        for v in IndicatorValue.objects.all()
    }
    assert sources == {
        (False, DURHAM_MPS, DURHAM_AS_AT),
        (True, NT_STRATEGY, NT_AS_AT),
    }
    assert not IndicatorValue.objects.filter(notes="").exists()


def test_projections_say_how_the_seed_words_them(demo):
    growth = IndicatorValue.objects.get(
        indicator__slug="population-65-plus-growth", area_code=DURHAM
    )
    assert growth.is_projection
    assert "projected to have grown by 34% (from the 2018 baseline)" in growth.notes
    north_tyneside = IndicatorValue.objects.get(
        indicator__slug="population-75-plus-growth"
    )
    assert "31% more people aged 75+ in 2030 than in 2020" in north_tyneside.notes


def test_demo_figures_read_as_the_council_writes_them(demo):
    def shown(slug, area=DURHAM):
        value = IndicatorValue.objects.get(
            indicator__slug=slug, area_code=area, base_year=None
        )
        return value.indicator.format(value.value)

    assert shown("spend-adult-social-care-providers") == "£190 million"
    assert shown("spend-direct-payments-children") == "£475,000"
    assert shown("care-home-occupancy-older-people") == "86%"
    assert shown("unpaid-carers") == "52,700"
    assert shown("intermediate-care-block-beds") == "60 beds"
    assert shown("falls-admissions-65-plus", ENGLAND) == "2,100 per 100,000"


def test_the_rural_uplift_is_a_home_care_rate_per_visit_in_county_durham(demo):
    rate = Rate.objects.get(
        council__slug="county-durham",
        type_of_care__slug="domiciliary-care",
        kind=Rate.Kind.UPLIFT,
    )
    assert (rate.amount, rate.unit) == (Decimal("3.00"), Rate.Unit.VISIT)
    assert rate.arrangement.name == "Domiciliary home care Main Framework"
    assert rate.arrangement.council == rate.council
    assert (rate.source_name, rate.as_at) == (DURHAM_MPS, DURHAM_AS_AT)
    assert "(currently £3 per visit)" in rate.notes
    rate.full_clean()


def test_durham_and_north_tyneside_state_intentions_for_the_main_markets(demo):
    found = {
        (i.council.slug, i.type_of_care.slug, i.direction)
        for i in CommissioningIntention.objects.published().select_related(
            "council", "type_of_care"
        )
    }
    assert set(MAIN_MARKET_INTENTIONS) <= found


def test_durham_wants_no_more_care_homes_except_in_the_more_rural_areas(demo):
    care_homes = CommissioningIntention.objects.get(
        council__slug="county-durham",
        type_of_care__slug="residential-care",
        direction="maintain",
    )
    assert "we do not have a general need for more older persons care" in (
        care_homes.detail
    )
    assert "more rural areas" in care_homes.where.lower()
    extra_care = CommissioningIntention.objects.get(
        council__slug="county-durham", type_of_care__slug="extra-care"
    )
    assert "more rural areas" in extra_care.where


def test_intentions_the_strategy_does_not_name_are_marked_demo_data(demo):
    north_tyneside = CommissioningIntention.objects.filter(
        council__slug="north-tyneside"
    )
    demo_markets = {
        i.type_of_care.slug
        for i in north_tyneside
        if i.summary.startswith("Demo data:")
    }
    # Only home care: the strategy's "stay safe and well in their own homes for
    # longer" is filed there, marked; no market it does not speak to is made up.
    assert demo_markets == {"domiciliary-care"}
    for intention in north_tyneside.filter(type_of_care__slug__in=demo_markets):
        assert intention.detail.startswith("**Demo data.**")
    assert not CommissioningIntention.objects.filter(
        council__slug="county-durham", summary__icontains="demo data"
    ).exists()


def test_every_intention_links_to_its_own_councils_mps_sections(demo):
    for intention in CommissioningIntention.objects.prefetch_related("sections"):
        sections = list(intention.sections.all())
        assert sections, intention
        assert {s.council_id for s in sections} == {intention.council_id}
        assert all(s.status == "published" for s in sections)


def test_markets_the_seeds_name_are_in_the_types_of_care(demo):
    for slug in ("family-support", "direct-payments"):
        market = TypeOfCare.objects.get(slug=slug)
        assert market.summary
        assert market.setting == TypeOfCare.Setting.COMMUNITY
        assert market.intentions.exists()
