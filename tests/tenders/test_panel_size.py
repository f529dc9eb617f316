"""Council and market pages list the soonest tenders, not every one."""

import pytest
from django.urls import reverse

from tenders.panels import PANEL_TENDERS
from tests.factories import TenderFactory, future_year

pytestmark = pytest.mark.django_db
YEAR = future_year()


def test_council_page_lists_the_soonest_tenders_and_points_to_the_finder(
    client, gateshead
):
    for number in range(PANEL_TENDERS + 1):
        TenderFactory(
            council=gateshead,
            title=f"Pipeline {number:02d}",
            procurement_activity=f"{number % 12 + 1:02d}/{YEAR + number // 12}",
        )
    response = client.get(gateshead.get_absolute_url())

    assert "Pipeline 24" in response.text
    assert "Pipeline 25" not in response.text
    assert f"These are the {PANEL_TENDERS} soonest; the finder lists them all" in (
        response.text
    )
    assert f"?council={gateshead.slug}" in response.text


def test_council_page_with_a_short_pipeline_lists_it_all(client, gateshead):
    TenderFactory(council=gateshead, title="Only one")
    response = client.get(gateshead.get_absolute_url())
    assert "Only one" in response.text
    assert "the finder lists them all" not in response.text


def test_market_page_lists_the_soonest_tenders_for_its_type_of_care(
    client, gateshead, reablement
):
    for number in range(PANEL_TENDERS + 3):
        TenderFactory(
            council=gateshead,
            title=f"Reablement {number:02d}",
            types_of_care=[reablement],
            procurement_activity=f"{number % 12 + 1:02d}/{YEAR + number // 12}",
        )
    response = client.get(reverse("councils:market-detail", args=[reablement.slug]))
    assert "Reablement 24" in response.text
    assert "Reablement 25" not in response.text
    assert "the finder lists them all" in response.text
