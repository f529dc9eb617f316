"""The directory tells the truth about CQC registration, and finds services by
keyword and postcode district."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import CareServiceFactory, ProviderFactory, ServiceTypeFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("providers:service-list")


def names(response):
    return sorted(service.name for service in response.context["services"])


@pytest.mark.parametrize(
    "fields",
    [
        {"care_home": True},
        {"cqc_location_id": "1-000000123"},
        {"service_types": "Domiciliary care service"},
    ],
    ids=["care home", "CQC location", "home care agency"],
)
def test_cqc_registered_services_without_a_rating_say_no_rating_recorded(
    client, gateshead, fields
):
    if "service_types" in fields:
        fields = {"service_types": [ServiceTypeFactory(name=fields["service_types"])]}
    service = CareServiceFactory(council=gateshead, **fields)
    for url in (LIST_URL, service.get_absolute_url()):
        text = client.get(url).text
        assert "No rating recorded" in text
        assert "Not regulated by CQC" not in text


def test_detail_shows_rating_date_and_key_questions(client, gateshead):
    service = CareServiceFactory(
        council=gateshead,
        cqc_location_id="1-000000124",
        care_home=True,
        rating="good",
        rating_published_on=date(2025, 3, 14),
        safe_rating="requires_improvement",
        well_led_rating="good",
        rating_inherited=True,
    )
    text = client.get(service.get_absolute_url()).text
    assert "published 14 March 2025" in text
    assert "Rated Good since March 2025." in text
    assert "<dt>Safe</dt><dd>Requires improvement</dd>" in text
    assert "<dt>Well-led</dt><dd>Good</dd>" in text
    assert "previous registration" in text


def test_a_service_that_left_cqcs_register_says_so(client, gateshead):
    service = CareServiceFactory(
        council=gateshead,
        cqc_location_id="1-000000125",
        deregistered_on=date(2025, 11, 1),
    )
    text = client.get(service.get_absolute_url()).text
    assert "Left CQC's register" in text
    assert "Not in CQC's register produced on 1 November 2025" in text


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("riverside", ["Riverside Court"]),
        ("ACME care", ["Oak House"]),
        ("dh1", ["Riverside Court"]),
        ("ne8 1", ["Oak House"]),
    ],
)
def test_keyword_search_looks_at_name_provider_and_postcode(
    client, gateshead, words, expected
):
    CareServiceFactory(council=gateshead, name="Riverside Court", postcode="DH1 3AB")
    CareServiceFactory(
        council=gateshead,
        name="Oak House",
        postcode="NE8 1HH",
        provider=ProviderFactory(name="Acme Care Ltd"),
    )
    assert names(client.get(LIST_URL, {"q": words})) == expected


def test_postcode_district_filter_matches_the_whole_district(client, gateshead):
    CareServiceFactory(council=gateshead, name="In DH1", postcode="DH1 3AB")
    CareServiceFactory(council=gateshead, name="In DH10", postcode="DH10 1AA")
    CareServiceFactory(council=gateshead, name="In NE8", postcode="NE8 1HH")
    assert names(client.get(LIST_URL, {"postcode_district": "dh1"})) == ["In DH1"]


@pytest.mark.parametrize("district", ["DH1 3AB", "12", "<b>", "D"])
def test_a_bad_postcode_district_is_a_400_with_an_error_summary(
    client, gateshead, district
):
    response = client.get(LIST_URL, {"postcode_district": district})
    assert response.status_code == 400
    assert "Enter a postcode district like DH1" in response.text
