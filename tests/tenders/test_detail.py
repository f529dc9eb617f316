"""A tender's own page: the details, the council's contacts, caveat and MPS sections."""

import datetime

import pytest
from django.urls import reverse

from councils import clock
from tests.factories import (
    ContactFactory,
    HeadingFactory,
    SectionFactory,
    TenderFactory,
    TenderPipelineFactory,
    future_year,
)

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db


def test_detail_page_shows_the_tender_contacts_caveat_and_related_sections(
    client, gateshead, reablement, elderly_cpv
):
    tender = TenderFactory(
        council=gateshead,
        title="Reablement service",
        notes="subject to outcome of ongoing strategic review",
        types_of_care=[reablement],
        cpv_codes=[elderly_cpv],
        notice_url="https://www.contractsfinder.service.gov.uk/notice/1",
    )
    ContactFactory(
        council=gateshead, role="Commissioning team", email="team@gateshead.example"
    )
    TenderPipelineFactory(
        council=gateshead, caveat="The council reserves the right not to tender."
    )
    SectionFactory(
        council=gateshead,
        heading=HeadingFactory(
            name="Market opportunities", slug="market-opportunities"
        ),
    )
    SectionFactory(
        council=gateshead, heading=HeadingFactory(name="Glossary", slug="glossary")
    )
    response = client.get(tender.get_absolute_url())
    assert response.status_code == 200
    for text in (
        "Reablement service",
        "Subject to outcome of ongoing strategic review",
        "85311100 Welfare services for the elderly",
        "team@gateshead.example",
        "The council reserves the right not to tender.",
        "Market opportunities",
        "https://www.contractsfinder.service.gov.uk/notice/1",
        f"1 September {YEAR} to 30 November {YEAR}",
    ):
        assert text in response.text, text
    assert "Glossary" not in response.text


def test_withdrawn_tender_keeps_its_page_with_a_withdrawn_notice(client, gateshead):
    tender = TenderFactory(council=gateshead, status="withdrawn")
    response = client.get(tender.get_absolute_url())
    assert response.status_code == 200
    assert "has withdrawn this opportunity" in response.text


def test_unknown_or_scheduled_tenders_are_not_found(client, gateshead):
    scheduled = TenderFactory(
        council=gateshead, published=clock.now() + datetime.timedelta(days=2)
    )
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    url = reverse("tenders:tender-detail", args=["gateshead", "NOPE-1"])
    assert client.get(url).status_code == 404


def test_references_with_slashes_have_working_pages(client, gateshead):
    tender = TenderFactory(council=gateshead, reference="DCC/ASC/2024/01")
    assert client.get(tender.get_absolute_url()).status_code == 200


def test_demo_tenders_say_so(client):
    tender = TenderFactory(is_demo=True)
    assert "It is not a real procurement" in client.get(tender.get_absolute_url()).text


def test_detail_page_query_count_is_fixed(
    client, gateshead, reablement, older_people, elderly_cpv, django_assert_num_queries
):
    tender = TenderFactory(
        council=gateshead,
        types_of_care=[reablement],
        client_groups=[older_people],
        cpv_codes=[elderly_cpv],
    )
    TenderPipelineFactory(council=gateshead)
    ContactFactory(council=gateshead)
    ContactFactory(council=gateshead)
    # Tender with council and pipeline, three vocabularies, contacts, MPS sections.
    with django_assert_num_queries(6):
        assert client.get(tender.get_absolute_url()).status_code == 200


def test_a_planned_tender_whose_date_has_passed_says_so(client, gateshead):
    stale = TenderFactory(council=gateshead, procurement_activity="Autumn 2001")
    current = TenderFactory(council=gateshead, procurement_activity=f"Autumn {YEAR}")
    text = client.get(stale.get_absolute_url()).text
    assert (
        "This procurement was planned for Autumn 2001, which has passed, and the "
        "council has not updated it since" in text
    )
    assert 'id="date-passed"' not in client.get(current.get_absolute_url()).text
