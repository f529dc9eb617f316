"""A provider filters the finder, then downloads CSV and OCDS of exactly those rows."""

import csv
import io
import json

import pytest
from django.urls import reverse

from tests.factories import TenderFactory, future_year

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db


def test_filter_then_download_csv_and_ocds_give_the_rows_on_the_page(
    client, gateshead, darlington, reablement, home_care
):
    TenderFactory(
        council=gateshead, title="Reablement at home", types_of_care=[reablement]
    )
    TenderFactory(
        council=darlington,
        title="Reablement beds",
        types_of_care=[reablement],
        procurement_activity=f"Spring {YEAR}",
    )
    TenderFactory(council=darlington, title="Home care", types_of_care=[home_care])
    TenderFactory(
        council=gateshead,
        title="Reablement, awarded",
        status="awarded",
        types_of_care=[reablement],
    )
    query = "council=gateshead&council=darlington&type_of_care=reablement&status=planned&sort=procurement"

    page = client.get(f"{reverse('tenders:tender-list')}?{query}")
    assert page.status_code == 200
    on_page = [(t.council.name, t.reference, t.title) for t in page.context["tenders"]]
    assert [title for _, _, title in on_page] == [
        "Reablement beds",
        "Reablement at home",
    ]
    assert (
        f"{reverse('tenders:tender-list-csv')}?{query.replace('&', '&amp;')}"
        in page.text
    )

    csv_response = client.get(f"{reverse('tenders:tender-list-csv')}?{query}")
    rows = list(
        csv.DictReader(io.StringIO(csv_response.getvalue().decode("utf-8-sig")))
    )
    assert [(r["council"], r["reference"], r["title"]) for r in rows] == on_page

    ocds_response = client.get(f"{reverse('tenders:tender-list-ocds')}?{query}")
    releases = json.loads(ocds_response.getvalue())["releases"]
    assert [
        (r["buyer"]["name"], r["tender"]["id"], r["tender"]["title"]) for r in releases
    ] == on_page
