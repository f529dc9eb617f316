"""The demo data: County Durham's published appendix, and marked demo rows."""

import pytest
from django.core.management import call_command

from tenders.models import CpvCode, Tender, TenderPipeline

pytestmark = pytest.mark.django_db

DURHAM_TITLES = {
    "Supported Accommodation for Children and Young People",
    "Non-assessed Preventative Services",
    "Contract for the provision of Reablement Services in County Durham",
    "Provision of Domiciliary Care Services for adults, children and young people in County Durham",
    "Handyperson and Minor Adaptations Service",
    "Provision of Hoists and Slings",
    "County Durham Brokerage Service (Hospital to Residential/ Nursing Care) & County Durham Trusted Assessor Service",
    "Healthwatch County Durham",
    "Regulation 44 Visits by an Independent Person",
}


@pytest.fixture
def demo(db):
    call_command("load_demo_data", verbosity=0)


def test_durham_appendix_has_its_nine_planned_procurements(demo):
    published = Tender.objects.filter(council__slug="county-durham", is_demo=False)
    assert set(published.values_list("title", flat=True)) == DURHAM_TITLES
    assert set(published.values_list("status", flat=True)) == {"planned"}
    reablement = published.get(
        title__startswith="Contract for the provision of Reablement"
    )
    assert reablement.notes == "subject to outcome of ongoing strategic review"
    assert not published.filter(title__contains="*").exists()
    assert (
        published.get(
            title="Regulation 44 Visits by an Independent Person"
        ).commencement
        == "September 2025"
    )


def test_durham_pipeline_has_its_date_caveat_and_enquiries(demo):
    pipeline = TenderPipeline.objects.get(council__slug="county-durham")
    assert str(pipeline.last_updated) == "2024-02-01"
    assert pipeline.caveat == (
        "Although the following procurements are planned, the council reserves the "
        "right not to tender for such services or change the tender start date if "
        "required."
    )
    assert "ahs.commissioning@durham.gov.uk" in pipeline.enquiries


def test_only_council_published_rows_are_not_marked_as_demo(demo):
    invented = Tender.objects.filter(is_demo=True)
    assert invented.count() == 6
    assert (
        not Tender.objects.filter(is_demo=False)
        .exclude(council__slug="county-durham")
        .exists()
    )


def test_stored_date_windows_match_the_published_dates(demo):
    for tender in Tender.objects.all():
        stored = (
            tender.procurement_start,
            tender.procurement_end,
            tender.commencement_start,
            tender.commencement_end,
        )
        tender.derive_date_windows()
        assert stored == (
            tender.procurement_start,
            tender.procurement_end,
            tender.commencement_start,
            tender.commencement_end,
        ), tender


def test_cpv_codes_are_eight_digits_and_include_the_social_care_ones(demo):
    codes = set(CpvCode.objects.values_list("code", flat=True))
    assert {
        "85311100",
        "85312000",
        "85311000",
        "85311200",
        "85311300",
        "85320000",
    } <= codes
    assert all(len(code) == 8 and code.isdigit() for code in codes)


def test_loading_twice_changes_nothing(demo):
    before = Tender.objects.count(), TenderPipeline.objects.count()
    call_command("load_demo_data", verbosity=0)
    assert (Tender.objects.count(), TenderPipeline.objects.count()) == before


def test_durham_council_page_shows_the_appendix(client, demo):
    response = client.get("/councils/county-durham/")
    assert "Healthwatch County Durham" in response.text
    assert "reserves the right not to tender" in response.text


def test_demo_tenders_keep_their_fixture_publication_date(demo, client):
    from datetime import UTC, datetime

    published = datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
    durham = Tender.live.filter(council__slug="county-durham", is_demo=False)
    assert durham.count() == len(DURHAM_TITLES)
    for tender in durham:
        assert tender.published_at == published
        assert tender.first_published_at == published
        assert tender.updated_at == published
    working = Tender.objects.filter(council__slug="county-durham", is_demo=False)
    assert set(working.values_list("first_published_at", flat=True)) == {published}
    # The change log dates them as the appendix does, not as the day of the load.
    page = client.get("/changes/", {"council": "county-durham"})
    assert "1 February 2024" in page.content.decode()
