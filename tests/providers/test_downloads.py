"""CSV and JSON downloads of the filtered directory."""

import csv
import io
import json

import pytest
from django.urls import reverse

from tests.factories import CareServiceFactory, ServiceTypeFactory

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
