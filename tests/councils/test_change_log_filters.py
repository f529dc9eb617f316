"""The "What changed" log and its Atom feeds, filtered by council and type of care."""

import pytest
from django.urls import reverse

from tests.factories import (
    ArrangementFactory,
    CouncilFactory,
    SectionFactory,
    TypeOfCareFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def changes():
    durham = CouncilFactory(name="Durham County Council", slug="county-durham")
    gateshead = CouncilFactory(name="Gateshead Council", slug="gateshead")
    home_care = TypeOfCareFactory(name="Home care", slug="home-care")
    care_homes = TypeOfCareFactory(name="Care homes", slug="care-homes")
    ArrangementFactory(
        council=durham, name="Durham home care framework", types_of_care=[home_care]
    )
    ArrangementFactory(
        council=gateshead,
        name="Gateshead care home contract",
        types_of_care=[care_homes],
    )
    SectionFactory(council=gateshead)
    return durham, gateshead


def test_change_log_lists_only_changes_about_the_types_of_care_chosen(client, changes):
    assert (
        "Gateshead Council: Heading" in client.get(reverse("councils:change-list")).text
    )

    page = client.get(reverse("councils:change-list"), {"type_of_care": "home-care"})

    assert page.status_code == 200
    assert "Durham home care framework" in page.text
    assert "Gateshead care home contract" not in page.text
    # A section is about no one type of care, so it is left out.
    assert "Gateshead Council: Heading" not in page.text


def test_change_log_combines_councils_and_types_of_care(client, changes):
    page = client.get(
        reverse("councils:change-list"),
        {"type_of_care": ["home-care", "care-homes"], "council": "gateshead"},
    )

    assert "Gateshead care home contract" in page.text
    assert "Durham home care framework" not in page.text


def test_change_log_offers_types_of_care_as_checkboxes(client, changes):
    page = client.get(reverse("councils:change-list"), {"type_of_care": "care-homes"})

    assert 'type="checkbox" name="type_of_care" value="care-homes"' in page.text
    assert 'type="checkbox" name="council" value="county-durham"' in page.text
    # The feed link carries the filters.
    assert f"{reverse('councils:change-feed')}?type_of_care=care-homes" in page.text


def test_council_change_log_filters_by_type_of_care(client, changes):
    url = reverse("councils:council-changes", args=["county-durham"])

    assert "Durham home care framework" in client.get(url).text
    assert (
        "Durham home care framework"
        not in client.get(url, {"type_of_care": "care-homes"}).text
    )


def test_unknown_type_of_care_is_explained_with_status_400(client, changes):
    page = client.get(reverse("councils:change-list"), {"type_of_care": "nothing"})

    assert page.status_code == 400
    assert "There is no type of care “nothing”" in page.text
    assert "govuk-error-summary" in page.text


def test_change_feed_follows_the_type_of_care_filter(client, changes):
    feed = client.get(reverse("councils:change-feed"), {"type_of_care": "home-care"})

    assert feed.status_code == 200
    assert "Durham home care framework" in feed.text
    assert "Gateshead care home contract" not in feed.text
    assert "/changes/feed/?type_of_care=home-care" in feed.text


def test_council_change_feed_follows_the_type_of_care_filter(client, changes):
    url = reverse("councils:council-change-feed", args=["gateshead"])

    assert "Gateshead care home contract" in client.get(url).text
    assert (
        "Gateshead care home contract"
        not in client.get(url, {"type_of_care": "home-care"}).text
    )
    assert client.get(url, {"type_of_care": "nothing"}).status_code == 400
