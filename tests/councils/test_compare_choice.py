"""The compare page shows the councils chosen, and never every council's text."""

from datetime import UTC, datetime

import pytest

from councils.models import Section
from tests.factories import CouncilFactory, HeadingFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_councils(monkeypatch):
    monkeypatch.setattr("councils.views.COMPARE_MAX", 2)
    heading = HeadingFactory(name="Market overview", slug="market-overview")
    councils = [
        CouncilFactory(name=f"Council {letter}", slug=f"council-{letter}")
        for letter in "abc"
    ]
    for council in councils:
        SectionFactory(council=council, heading=heading, body=f"Text of {council.name}")
    return heading, councils


def test_with_more_councils_than_fit_it_lists_them_and_asks_to_choose(
    client, three_councils
):
    heading, councils = three_councils
    response = client.get(heading.get_absolute_url())
    assert response.status_code == 200
    assert "Choose up to 2 councils" in response.text
    for council in councils:
        assert f'href="/councils/{council.slug}/market-overview/"' in response.text
        assert f"Text of {council.name}" not in response.text


def test_the_councils_chosen_are_shown_side_by_side(client, three_councils):
    heading, _ = three_councils
    response = client.get(
        heading.get_absolute_url(), {"council": ["council-a", "council-c"]}
    )
    assert response.status_code == 200
    assert "Text of Council a" in response.text
    assert "Text of Council c" in response.text
    assert "Text of Council b" not in response.text
    assert "(2 chosen)" in response.text


def test_choosing_too_many_councils_is_explained_with_status_400(
    client, three_councils
):
    heading, _ = three_councils
    response = client.get(
        heading.get_absolute_url(),
        {"council": ["council-a", "council-b", "council-c"]},
    )
    assert response.status_code == 400
    assert "Choose up to 2 councils to compare side by side" in response.text
    assert "<title>Error: " in response.text
    assert "Text of Council" not in response.text


def test_an_unknown_council_is_explained_with_status_400(client, three_councils):
    heading, _ = three_councils
    response = client.get(heading.get_absolute_url(), {"council": "atlantis"})
    assert response.status_code == 400
    assert "There is no council “atlantis”" in response.text


def test_the_list_gives_each_council_escaped_with_its_local_date(
    client, three_councils
):
    heading, councils = three_councils
    councils[0].name = "Council a & <b>"
    councils[0].save()
    # 23:30 on 30 June in UTC is already 1 July in the UK (summer time).
    Section._base_manager.filter(council=councils[0]).update(
        content_updated_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    )
    response = client.get(heading.get_absolute_url())
    assert (
        '<li><a class="govuk-link" href="/councils/council-a/market-overview/">'
        "Council a &amp; &lt;b&gt;</a> "
        '<span class="govuk-body-s govuk-hint">last updated 1 July 2026</span></li>'
    ) in response.text
