"""Market and indicator pages at national scale: with more councils than fit
side by side and none chosen, they summarise and ask for a choice instead of
listing every council's content."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.models import ENGLAND_GSS_CODE, Council
from councils.views import COMPARE_MAX
from tests.factories import (
    CommissioningIntentionFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    RegionFactory,
    TypeOfCareFactory,
)

pytestmark = pytest.mark.django_db
NATIONAL = 153


@pytest.fixture
def home_care(db):
    return TypeOfCareFactory(name="Domiciliary care", slug="domiciliary-care")


@pytest.fixture
def indicator(home_care):
    return IndicatorFactory(
        name="Hours of home care bought",
        slug="home-care-hours",
        types_of_care=[home_care],
        at_a_glance=True,
    )


def make_councils(n: int, region=None) -> list[Council]:
    region = region or RegionFactory()
    start = Council.objects.count()
    Council.objects.bulk_create(
        Council(
            name=f"Borough {start + i:03d}",
            slug=f"borough-{start + i:03d}",
            gss_code=f"E07{800000 + start + i:06d}",
            region=region,
        )
        for i in range(n)
    )
    return list(Council.objects.filter(region=region).order_by("name"))


def publish_for(councils, home_care, indicator):
    for council in councils:
        CommissioningIntentionFactory(
            council=council,
            type_of_care=home_care,
            summary=f"What {council.name} wants of home care",
        )
        IndicatorValueFactory(indicator=indicator, council=council, value=10)


def market_url(home_care):
    return reverse("councils:market-detail", args=[home_care.slug])


def test_market_page_with_153_councils_does_not_list_every_councils_intentions(
    client, home_care, indicator
):
    councils = make_councils(NATIONAL)
    publishing = councils[:20]
    publish_for(publishing, home_care, indicator)
    IndicatorValueFactory(
        indicator=indicator, area_code=councils[0].region.gss_code, value=12
    )

    response = client.get(market_url(home_care))

    assert response.status_code == 200
    text = response.text
    assert f"Choose up to {COMPARE_MAX} councils" in text
    assert "20 councils have published commissioning intentions" in text
    for council in publishing:
        assert f"What {council.name} wants of home care" not in text
        assert f'href="?council={council.slug}#intentions"' in text
    # The region's figure is there; no council's figure row is.
    assert "Figures about domiciliary care" in text
    assert '<th scope="row" class="govuk-table__header">Borough' not in text
    # Other apps' per-council panels wait for a choice.
    assert 'id="tender-opportunities"' not in text


def test_market_page_with_153_councils_shows_the_councils_chosen(
    client, home_care, indicator
):
    councils = make_councils(NATIONAL)
    publish_for(councils[:3], home_care, indicator)

    response = client.get(
        market_url(home_care), {"council": [councils[0].slug, councils[2].slug]}
    )

    assert response.status_code == 200
    assert f"What {councils[0].name} wants of home care" in response.text
    assert f"What {councils[2].name} wants of home care" in response.text
    assert f"What {councils[1].name} wants of home care" not in response.text
    assert 'id="tender-opportunities"' in response.text


@pytest.mark.parametrize("page", ["market", "indicator"])
def test_choosing_more_councils_than_fit_is_explained_with_status_400(
    client, home_care, indicator, page
):
    councils = make_councils(COMPARE_MAX + 1)
    url = market_url(home_care) if page == "market" else indicator.get_absolute_url()

    response = client.get(url, {"council": [c.slug for c in councils]})

    assert response.status_code == 400
    assert f"Choose up to {COMPARE_MAX} councils to compare" in response.text


def test_indicator_page_with_153_councils_shows_regions_and_a_count(
    client, home_care, indicator
):
    councils = make_councils(NATIONAL)
    publish_for(councils[:30], home_care, indicator)
    IndicatorValueFactory(
        indicator=indicator, area_code=councils[0].region.gss_code, value=12
    )
    IndicatorValueFactory(indicator=indicator, area_code=ENGLAND_GSS_CODE, value=11)

    response = client.get(indicator.get_absolute_url())

    assert response.status_code == 200
    text = response.text
    assert "Latest figure by region" in text
    assert "30 councils have a figure for hours of home care bought" in text
    assert councils[0].region.name in text
    assert "England" in text
    assert '<th scope="row" class="govuk-table__header">Borough' not in text


def page_queries(client, url) -> tuple[int, int]:
    """Queries and bytes of a page, after a first request takes one-off lookups
    out of the count."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured), len(response.content)


@pytest.mark.parametrize("page", ["market", "indicator"])
def test_page_with_too_many_councils_stays_the_same_size_as_councils_grow(
    client, home_care, indicator, page, uncached
):
    url = market_url(home_care) if page == "market" else indicator.get_absolute_url()
    region = RegionFactory()
    councils = make_councils(COMPARE_MAX + 1, region)
    publish_for(councils[:2], home_care, indicator)
    queries, size = page_queries(client, url)

    more = make_councils(60, region)
    publish_for(more[-40:], home_care, indicator)
    queries_after, size_after = page_queries(client, url)

    assert queries_after == queries
    # Only the chooser's checkboxes (and, on the market page, the names of the
    # councils with intentions) grow: a few hundred bytes a council, never its
    # content.
    assert size_after - size < 400 * 100


@pytest.mark.parametrize("page", ["market", "indicator"])
def test_page_with_too_many_councils_reads_the_councils_once_for_the_picker(
    client, home_care, indicator, page, uncached
):
    """With none chosen, the picker's rows say there are too many councils to
    show: no second query fetches councils to find that out. The rows are read
    on the first request after a change and kept for the ones after."""
    url = market_url(home_care) if page == "market" else indicator.get_absolute_url()
    make_councils(COMPARE_MAX + 1)

    def council_queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert f"Choose up to {COMPARE_MAX} councils" in response.text
        return [
            query["sql"]
            for query in captured
            if 'FROM "councils_council"' in query["sql"]
            # The market page's names of the councils with intentions.
            and "commissioningintention" not in query["sql"]
        ]

    assert len(council_queries()) == 1
    assert council_queries() == []
