"""Made-up (demo) tenders are labelled wherever they are shown and never published
as OCDS releases, which aggregators would take for real procurements."""

import csv
import io
import json

import pytest
from django.urls import reverse

from tests.factories import TenderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenders(gateshead):
    return (
        TenderFactory(council=gateshead, reference="GH-REAL", title="Real home care"),
        TenderFactory(
            council=gateshead, reference="GH-DEMO", title="Made up", is_demo=True
        ),
    )


def test_ocds_package_leaves_out_demo_tenders(client, tenders):
    response = client.get(reverse("tenders:tender-list-ocds"))
    assert response.status_code == 200
    titles = [r["tender"]["title"] for r in json.loads(response.getvalue())["releases"]]
    assert titles == ["Real home care"]


def test_ocds_with_only_demo_tenders_publishes_no_release(client, gateshead):
    TenderFactory(council=gateshead, is_demo=True)
    assert client.get(reverse("tenders:tender-list-ocds")).status_code == 404


def test_json_and_csv_downloads_flag_demo_tenders(client, tenders):
    records = json.loads(client.get(reverse("tenders:tender-list-json")).getvalue())
    by_reference = {r["reference"]: r["is_demo"] for r in records["results"]}
    assert by_reference == {"GH-REAL": False, "GH-DEMO": True}

    response = client.get(reverse("tenders:tender-list-csv"))
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert {r["reference"]: r["is_demo"] for r in rows} == {
        "GH-REAL": "No",
        "GH-DEMO": "Yes",
    }


def test_feed_titles_say_demo_data(client, tenders):
    response = client.get(reverse("tenders:tender-feed"))
    assert "Demo data: Made up" in response.text
    assert "Demo data: Real home care" not in response.text


def test_council_page_pipeline_labels_demo_tenders(client, gateshead, tenders):
    response = client.get(gateshead.get_absolute_url())
    html = response.getvalue().decode()
    row = html[html.index("Made up") : html.index("Made up") + 200]
    assert "Demo</strong>" in row
    real = html[html.index("Real home care") : html.index("Real home care") + 200]
    assert "Demo</strong>" not in real
