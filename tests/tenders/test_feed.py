"""The Atom feed of opportunities: what each entry says of its tender."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.factories import TenderFactory, TypeOfCareFactory, future_year

pytestmark = pytest.mark.django_db
FEED = reverse("tenders:tender-feed")
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_an_entry_has_the_tenders_title_council_link_dates_and_types_of_care(
    client, gateshead
):
    year = future_year()
    types = [
        TypeOfCareFactory(name="Reablement", slug="reablement"),
        TypeOfCareFactory(name="Extra care", slug="extra-care"),
    ]
    tender = TenderFactory(
        council=gateshead,
        title="Extra care in Felling",
        procurement_activity=f"Spring {year}",
        commencement="",
        notes="Lots of two",
        description="Housing with care.",
        types_of_care=types,
    )
    (entry,) = entries(client.get(FEED))
    assert entry.findtext(f"{ATOM}title") == "Extra care in Felling (Gateshead Council)"
    link = entry.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{tender.get_absolute_url()}"
    assert entry.findtext(f"{ATOM}id") == link
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Gateshead Council"
    # In the vocabulary's own order, as the tender page lists them.
    names = [term.name for term in tender.types_of_care.all()]
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == names
    assert entry.findtext(f"{ATOM}summary") == (
        f"Status: Planned. Procurement activity: Spring {year}. New contract "
        "commencement: to be confirmed. Note: Lots of two. Housing with care."
    )


def test_demo_tenders_say_so_and_a_tender_without_types_has_no_category(
    client, gateshead
):
    TenderFactory(council=gateshead, title="Made up", is_demo=True)
    (entry,) = entries(client.get(FEED))
    assert entry.findtext(f"{ATOM}title") == "Demo data: Made up (Gateshead Council)"
    assert entry.findall(f"{ATOM}category") == []


def test_a_reference_with_other_characters_links_to_its_page(client, gateshead):
    tender = TenderFactory(council=gateshead, reference="GC/2026 #1")
    (entry,) = entries(client.get(FEED))
    link = entry.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{tender.get_absolute_url()}"
    assert client.get(tender.get_absolute_url()).status_code == 200
