"""Public pages never reveal drafts, withdrawn tenders or individual assessments."""

import pytest
from django.urls import reverse

from councils.models import Section
from councils.publishing import working_copy_save
from tenders.models import Tender
from tests.factories import (
    CareServiceFactory,
    HeadingFactory,
    QualityFrameworkFactory,
    SectionFactory,
    TenderFactory,
    make_assessment,
)

pytestmark = pytest.mark.django_db

DRAFT_TEXT = "Unpublished draft wording about fees"


def body_of(response) -> str:
    """The whole body, whether the page was rendered or streamed (downloads)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def public_urls(council, heading, tender=None):
    # A visible tender, so every download has something in it (OCDS 404s when empty).
    tender = tender or TenderFactory(council=council, reference="DL-VISIBLE")
    urls = [
        reverse("home"),
        reverse("councils:council-list"),
        council.get_absolute_url(),
        reverse("councils:council-print", kwargs={"slug": council.slug}),
        reverse("councils:compare-index"),
        reverse("councils:compare", kwargs={"heading_slug": heading.slug}),
        reverse("tenders:tender-list"),
        reverse("tenders:tender-list-csv"),
        reverse("tenders:tender-list-json"),
        reverse("tenders:tender-list-ocds"),
        reverse("tenders:tender-feed"),
        reverse("quality:overview"),
        reverse("quality:council-quality", kwargs={"slug": council.slug}),
        reverse("providers:service-list"),
        reverse("councils:change-list"),
        reverse("councils:change-feed"),
        reverse("councils:council-changes", kwargs={"slug": council.slug}),
        tender.get_absolute_url(),
    ]
    return urls


def _never_published(council, heading):
    SectionFactory(council=council, heading=heading, published=False, body=DRAFT_TEXT)


def _coming_soon(council, heading):
    SectionFactory(
        council=council,
        heading=heading,
        status=Section.Status.COMING_SOON,
        body=DRAFT_TEXT,
    )


def _unpublished_change(council, heading):
    section = SectionFactory(council=council, heading=heading, body="Live words.")
    section.body = DRAFT_TEXT
    working_copy_save(obj=section, user=None)


@pytest.mark.parametrize("make", [_never_published, _coming_soon, _unpublished_change])
def test_unpublished_section_text_is_on_no_public_page(client, darlington, make):
    heading = HeadingFactory(slug="market-opportunities")
    make(darlington, heading)
    tender = TenderFactory(council=darlington, reference="DL-1")

    for url in public_urls(darlington, heading, tender):
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_TEXT not in body_of(response), url


def test_draft_section_page_is_not_found(client, darlington):
    section = SectionFactory(council=darlington, published=False, body=DRAFT_TEXT)
    url = reverse(
        "councils:section-detail",
        kwargs={"slug": darlington.slug, "heading_slug": section.heading.slug},
    )
    assert client.get(url).status_code == 404


def test_withdrawn_tender_is_on_no_public_page(client, darlington):
    heading = HeadingFactory()
    withdrawn = TenderFactory(
        council=darlington,
        reference="DL-9",
        title="Withdrawn secret procurement",
        status=Tender.Status.WITHDRAWN,
    )

    # Its own page stays, with a notice; it is in no list, feed or download.
    assert (
        "has withdrawn this opportunity"
        in client.get(withdrawn.get_absolute_url()).text
    )
    # What changed is the record of what was published, so its publication stays
    # listed there, as its page does.
    change_log = {
        reverse("councils:change-list"),
        reverse("councils:change-feed"),
        reverse("councils:council-changes", kwargs={"slug": darlington.slug}),
    }
    for url in set(public_urls(darlington, heading)) - change_log:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Withdrawn secret procurement" not in body_of(response), url


def test_individual_assessments_are_on_no_public_page(client, darlington):
    service = CareServiceFactory(council=darlington, name="Rose Lodge")
    make_assessment(
        QualityFrameworkFactory(council=darlington),
        service=service,
        findings="Medication errors found in March",
    )
    heading = HeadingFactory()
    for url in [*public_urls(darlington, heading), service.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Medication errors found" not in body_of(response), url
    detail = client.get(service.get_absolute_url()).content.decode()
    for word in ("RAG", "Red", "Amber", "assessment"):
        assert word not in detail, word
