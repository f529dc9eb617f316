"""CSV and JSON downloads of the filtered directory."""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import (
    CareServiceFactory,
    ProviderFactory,
    ServiceTypeFactory,
    SpecialismFactory,
)

pytestmark = pytest.mark.django_db
CSV_URL = reverse("providers:service-list-csv")
JSON_URL = reverse("providers:service-list-json")


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.getvalue().decode())))


def test_csv_download_has_the_filtered_services(client, gateshead, darlington):
    CareServiceFactory(
        council=gateshead,
        name="Gateshead home",
        rating="good",
        service_types=[
            ServiceTypeFactory(name="Care home service with nursing"),
            ServiceTypeFactory(name="Care home service without nursing"),
        ],
    )
    CareServiceFactory(council=darlington, name="Darlington home")
    response = client.get(CSV_URL, {"council": "gateshead"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [row["Name"] for row in rows] == ["Gateshead home"]
    assert rows[0]["CQC overall rating"] == "Good"
    assert rows[0]["Service types"] == (
        "Care home service with nursing|Care home service without nursing"
    )
    assert rows[0]["Page on this portal"].startswith("http://testserver/services/")


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_that_look_like_formulas_are_escaped(client, gateshead, start):
    CareServiceFactory(council=gateshead, name=f'{start}HYPERLINK("http://evil")')
    rows = csv_rows(client.get(CSV_URL))
    assert rows[0]["Name"] == f'\'{start}HYPERLINK("http://evil")'


def test_json_download_has_the_filtered_services(client, gateshead, darlington):
    CareServiceFactory(council=gateshead, name="Gateshead home", care_home=True)
    CareServiceFactory(council=darlington, name="Darlington living")
    response = client.get(JSON_URL, {"setting": "care_home"})
    assert response.status_code == 200
    services = json.loads(response.getvalue())["services"]
    assert [s["name"] for s in services] == ["Gateshead home"]
    assert services[0]["council"] == "Gateshead Council"
    assert services[0]["care_home"] is True


def test_download_with_a_bad_filter_is_a_400_with_the_error_summary(client, db):
    response = client.get(CSV_URL, {"rating": "brilliant"})
    assert response.status_code == 400
    assert "There is a problem" in response.text


def test_directory_links_to_downloads_that_keep_the_filters(client, gateshead):
    CareServiceFactory(council=gateshead)
    response = client.get(reverse("providers:service-list"), {"council": "gateshead"})
    assert f'href="{CSV_URL}?council=gateshead"' in response.text
    assert f'href="{JSON_URL}?council=gateshead"' in response.text


def test_download_query_count_does_not_grow_with_rows(
    client, gateshead, django_assert_num_queries
):
    service_type = ServiceTypeFactory()
    CareServiceFactory(council=gateshead, service_types=[service_type])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(CSV_URL)
    CareServiceFactory.create_batch(5, council=gateshead, service_types=[service_type])
    with django_assert_num_queries(len(one)):
        client.get(CSV_URL)


def test_each_service_links_to_its_own_page(client, gateshead):
    first = CareServiceFactory(council=gateshead, name="Ash House")
    second = CareServiceFactory(council=gateshead, name="Beech House")
    services = json.loads(client.get(JSON_URL).getvalue())["services"]
    assert [s["url"] for s in services] == [
        f"http://testserver{first.get_absolute_url()}",
        f"http://testserver{second.get_absolute_url()}",
    ]
    assert client.get(services[1]["url"]).context["service"] == second


def test_lists_are_in_alphabetical_order_whatever_order_they_were_added(
    client, gateshead
):
    CareServiceFactory(
        council=gateshead,
        service_types=[
            ServiceTypeFactory(name="Supported living service"),
            ServiceTypeFactory(name="Homecare agencies"),
        ],
        specialisms=[
            SpecialismFactory(name="Learning disabilities"),
            SpecialismFactory(name="Dementia"),
        ],
    )
    CareServiceFactory(council=gateshead, name="Zed House")
    rows = csv_rows(client.get(CSV_URL))
    assert rows[0]["Service types"] == "Homecare agencies|Supported living service"
    assert rows[0]["Specialisms and client groups"] == "Dementia|Learning disabilities"
    assert rows[1]["Service types"] == ""
    service = json.loads(client.get(JSON_URL).getvalue())["services"][0]
    assert service["service_types"] == ["Homecare agencies", "Supported living service"]
    assert service["specialisms"] == ["Dementia", "Learning disabilities"]


def test_download_says_the_provider_rating_and_its_date_as_the_page_does(
    client, gateshead
):
    CareServiceFactory(
        council=gateshead,
        name="Ash House",
        provider=ProviderFactory(name="Ash Care Ltd"),
        rating="requires_improvement",
        rating_published_on=date(2024, 3, 5),
        beds=12,
    )
    CareServiceFactory(council=gateshead, name="Beech House", provider=None)
    ash, beech = json.loads(client.get(JSON_URL).getvalue())["services"]
    assert ash["provider"] == "Ash Care Ltd"
    assert ash["rating"] == "Requires improvement"
    assert ash["rating_published_on"] == "2024-03-05"
    assert ash["beds"] == 12
    assert beech["provider"] == ""
    assert beech["rating_published_on"] is None
    assert beech["beds"] is None
