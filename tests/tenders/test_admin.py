"""Commissioners keep their council's tenders in the admin; demo rows are marked."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tenders.models import Tender
from tests.factories import TenderFactory, future_year

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db


def test_tender_admin_shows_and_filters_demo_data():
    tender_admin = admin.site._registry[Tender]
    assert "is_demo" in tender_admin.list_display
    assert "is_demo" in tender_admin.list_filter


def test_commissioner_adds_a_tender_and_the_portal_derives_its_dates(
    gateshead_client, gateshead, reablement
):
    response = gateshead_client.post(
        reverse("admin:tenders_tender_add"),
        {
            "council": gateshead.pk,
            "reference": "",
            "title": "Reablement service",
            "status": "planned",
            "types_of_care": [reablement.pk],
            "procurement_activity": f"Autumn {YEAR}",
            "commencement": f"April {YEAR + 1}",
            "published_at_0": f"01/02/{YEAR}",
            "published_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    tender = Tender.objects.get(title="Reablement service")
    assert tender.reference == "GC-0001"
    assert str(tender.procurement_start) == f"{YEAR}-09-01"
    assert str(tender.commencement_end) == f"{YEAR + 1}-04-30"
    assert list(tender.types_of_care.all()) == [reablement]


def test_unrecognised_published_date_is_refused_in_the_admin(
    gateshead_client, gateshead
):
    response = gateshead_client.post(
        reverse("admin:tenders_tender_add"),
        {
            "council": gateshead.pk,
            "title": "Day services",
            "status": "planned",
            "procurement_activity": "sometime soon",
            "published_at_0": f"01/02/{YEAR}",
            "published_at_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert "procurement_activity" in response.context["adminform"].form.errors


def test_derived_date_windows_are_read_only(gateshead_client, gateshead):
    tender = TenderFactory(council=gateshead)
    response = gateshead_client.get(
        reverse("admin:tenders_tender_change", args=[tender.pk])
    )
    form = response.context["adminform"].form
    assert "procurement_start" not in form.fields
    assert f'<div class="readonly">30 Nov {YEAR}</div>' in response.text


@pytest.mark.parametrize(
    ("name", "prefix"),
    [
        ("Durham County Council", "DCC-"),
        ("Redcar and Cleveland Borough Council", "RCBC-"),
        ("Stockton-on-Tees Borough Council", "STBC-"),
        ("Newcastle upon Tyne City Council", "NTCC-"),
    ],
)
def test_made_up_references_start_with_the_councils_initials(name, prefix):
    from councils.models import Council
    from tenders.models import generated_reference_prefix

    assert generated_reference_prefix(Council(name=name)) == prefix
