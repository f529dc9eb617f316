"""The council page shows its pipeline; the home page what is coming up next."""

import pytest
from django.urls import reverse

from tenders.models import Arrangement
from tests.factories import (
    ArrangementFactory,
    TenderFactory,
    TenderPipelineFactory,
    future_year,
)

# Planned dates are this many years ahead of today (councils.clock.today).
YEAR = future_year()

pytestmark = pytest.mark.django_db


def test_council_page_shows_its_pipeline_with_caveat_and_footnote(client, gateshead):
    TenderPipelineFactory(
        council=gateshead,
        caveat="The council reserves the right not to tender.",
        footnote="* subject to review",
        enquiries="commissioning@gateshead.example",
    )
    TenderFactory(
        council=gateshead, title="Day services", procurement_activity=f"Spring {YEAR}"
    )
    TenderFactory(council=gateshead, title="Old contract", status="awarded")
    TenderFactory(title="Another council's tender")
    response = client.get(gateshead.get_absolute_url())
    assert response.status_code == 200
    for text in (
        "Upcoming tender opportunities",
        "Last updated",
        "February 2024",
        "The council reserves the right not to tender.",
        "* subject to review",
        "Day services",
        '<a class="govuk-link" href="mailto:commissioning@gateshead.example">',
    ):
        assert text in response.text, text
    assert "Old contract" not in response.text
    assert "Another council&#x27;s tender" not in response.text


def test_council_without_tenders_shows_no_pipeline(client, gateshead):
    response = client.get(gateshead.get_absolute_url())
    assert "Upcoming tender opportunities" not in response.text


def test_home_page_shows_what_is_coming_up_next_across_the_region(
    client, gateshead, darlington
):
    TenderFactory(council=gateshead, title="Soonest", procurement_activity=f"Q1 {YEAR}")
    TenderFactory(council=darlington, title="Later", procurement_activity=f"Q3 {YEAR}")
    TenderFactory(
        council=gateshead, title="Long past", procurement_activity="Spring 2001"
    )
    TenderFactory(
        council=darlington,
        title="Done",
        status="awarded",
        procurement_activity=f"Q1 {YEAR}",
    )
    response = client.get(reverse("home"))
    assert "Coming up next" in response.text
    text = response.text
    assert text.index("Soonest") < text.index("Later")
    assert "Long past" not in text
    assert "Done" not in text


def test_pipeline_enquiries_text_is_escaped_around_its_links(client, gateshead):
    TenderPipelineFactory(
        council=gateshead,
        enquiries='<script>alert(1)</script> or <a href="x">commissioning@gateshead.example',
    )
    TenderFactory(council=gateshead, procurement_activity=f"Spring {YEAR}")
    response = client.get(gateshead.get_absolute_url())
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert '<a href="x">' not in response.text


def test_council_pipeline_puts_passed_dates_last_and_marks_them(client, gateshead):
    TenderFactory(council=gateshead, title="Stale plan", procurement_activity="2001")
    TenderFactory(council=gateshead, title="Next plan", procurement_activity=f"{YEAR}")
    text = client.get(gateshead.get_absolute_url()).text
    assert text.index("Next plan") < text.index("Stale plan")
    stale_row = text[
        text.index("Stale plan") : text.index("</tr>", text.index("Stale plan"))
    ]
    assert "Date has passed" in stale_row
    next_row = text[
        text.index("Next plan") : text.index("</tr>", text.index("Next plan"))
    ]
    assert "Date has passed" not in next_row


def test_council_page_rows_give_demo_notes_passed_dates_and_kinds_escaped(
    client, gateshead
):
    TenderFactory(
        council=gateshead,
        reference="GC-7",
        title="Meals & <more>",
        is_demo=True,
        notes="Ask <first>",
        service_area="Adults & children",
        procurement_activity="2001",
        commencement="tbc",
    )
    arrangement = ArrangementFactory(
        council=gateshead, name="Spot & <panel>", kind=Arrangement.Kind.SPOT
    )
    text = client.get(gateshead.get_absolute_url()).text
    assert (
        '\n    <tr class="govuk-table__row" role="row">\n'
        '      <th scope="row" class="govuk-table__header" role="rowheader"><a '
        'class="govuk-link" href="/opportunities/gateshead/GC-7/">Meals &amp; '
        '&lt;more&gt;</a> <strong class="govuk-tag govuk-tag--grey">Demo</strong>'
        '<span class="govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0">'
        "Note: Ask &lt;first&gt;</span></th>\n"
        '      <td class="govuk-table__cell" role="cell" data-label="Service area">'
        "Adults &amp; children</td>\n"
        '      <td class="govuk-table__cell" role="cell" '
        'data-label="Procurement activity">2001 <strong class="govuk-tag '
        'govuk-tag--yellow">Date has passed</strong></td>\n'
        '      <td class="govuk-table__cell" role="cell" '
        'data-label="New contract commencement">To be confirmed</td>\n'
        "    </tr>\n"
    ) in text
    assert (
        '\n    <tr class="govuk-table__row">\n'
        '      <th scope="row" class="govuk-table__header"><a class="govuk-link" '
        f'href="/opportunities/arrangements/gateshead/{arrangement.pk}/">'
        "Spot &amp; &lt;panel&gt;</a></th>\n"
        '      <td class="govuk-table__cell">Spot contract</td>\n'
        "    </tr>\n"
    ) in text
