"""Public MPS pages: what providers and the public read."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse

from councils.models import EditorialState, Section
from tests.factories import (
    ContactFactory,
    CouncilFactory,
    HeadingFactory,
    ProviderForumFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


def test_home_page_lists_councils_and_latest_updates(client, gateshead):
    SectionFactory(council=gateshead, heading__name="Market overview")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Gateshead Council" in response.text
    assert "Gateshead Council: Market overview" in response.text


@pytest.mark.parametrize(
    "page",
    [
        reverse("home"),
        reverse("councils:council-list"),
        reverse("councils:compare", args=["market-overview"]),
    ],
)
def test_lists_of_councils_link_each_to_its_page(client, gateshead, darlington, page):
    HeadingFactory(name="Market overview", slug="market-overview")
    response = client.get(page)
    for council in (gateshead, darlington):
        link = f'href="{council.get_absolute_url()}">{council.name}</a>'
        assert link in response.text


def test_council_page_lists_public_sections_as_contents(client, gateshead):
    SectionFactory(council=gateshead, heading__name="Vision", status="published")
    SectionFactory(council=gateshead, heading__name="Housing", status="coming_soon")
    SectionFactory(council=gateshead, heading__name="Secret plans", published=False)
    response = client.get(gateshead.get_absolute_url())
    assert response.status_code == 200
    assert "Vision" in response.text
    assert "Coming soon" in response.text
    assert "Secret plans" not in response.text


def test_section_page_shows_text_and_last_updated_date(client, gateshead):
    section = SectionFactory(council=gateshead, body="## Our aims\n\n- Prevention")
    response = client.get(section.get_absolute_url())
    assert response.status_code == 200
    assert '<h2 id="h-our-aims" class="govuk-heading-m">Our aims</h2>' in response.text
    assert "Last updated" in response.text


def test_draft_section_is_not_found(client, gateshead):
    section = SectionFactory(council=gateshead, published=False)
    assert client.get(section.get_absolute_url()).status_code == 404


def test_coming_soon_section_says_so(client, gateshead):
    section = SectionFactory(council=gateshead, status="coming_soon", body="")
    response = client.get(section.get_absolute_url())
    assert "coming soon" in response.text.lower()


def test_unknown_council_is_a_friendly_404(client, db):
    response = client.get("/councils/no-such-council/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_compare_page_shows_one_heading_for_every_council(
    client, gateshead, darlington
):
    heading = HeadingFactory(name="Market overview", slug="market-overview")
    SectionFactory(council=gateshead, heading=heading, body="Gateshead market text")
    SectionFactory(
        council=darlington, heading=heading, published=False, body="Draft words"
    )
    response = client.get(heading.get_absolute_url())
    assert response.status_code == 200
    assert "Gateshead market text" in response.text
    assert "Draft words" not in response.text
    assert "Darlington Borough Council" in response.text
    assert "Not published on this portal yet" in response.text


def test_print_page_has_every_public_section(client, gateshead):
    SectionFactory(council=gateshead, heading__name="Vision", body="Vision text")
    SectionFactory(council=gateshead, heading__name="Housing", body="Housing text")
    response = client.get(reverse("councils:council-print", args=[gateshead.slug]))
    assert "Vision text" in response.text
    assert "Housing text" in response.text
    assert response.text.count('class="app-print-section"') >= 2


def _grow(n_councils):
    headings = [HeadingFactory() for _ in range(3)]
    for _ in range(n_councils):
        council = CouncilFactory()
        for heading in headings:
            SectionFactory(council=council, heading=heading)
        council.contacts.create(role="Team", email="a@example.org")
    return headings[0]


@pytest.mark.parametrize(
    ("url_for", "fewer"),
    [
        (lambda heading, council: reverse("home"), 0),
        (lambda heading, council: reverse("councils:council-list"), 0),
        (lambda heading, council: reverse("councils:compare-index"), 0),
        # Past COMPARE_MAX councils the page lists those that have published the
        # heading from one query of their sections, not councils, then sections.
        (lambda heading, council: heading.get_absolute_url(), 1),
        (lambda heading, council: council.get_absolute_url(), 0),
        (
            lambda heading, council: reverse(
                "councils:council-print", args=[council.slug]
            ),
            0,
        ),
        (
            lambda heading, council: council.sections.first().get_absolute_url(),
            0,
        ),
    ],
    ids=[
        "home",
        "council-list",
        "compare-index",
        "compare",
        "council",
        "print",
        "section",
    ],
)
def test_queries_per_page_stay_constant_as_rows_grow(
    client, django_assert_max_num_queries, url_for, fewer
):
    heading = _grow(1)
    council = heading.sections.first().council
    with django_assert_max_num_queries(50) as small:
        assert client.get(url_for(heading, council)).status_code == 200
    _grow(12)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get(url_for(heading, council)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries) - fewer


def test_section_status_choices_match_the_seeds_vocabulary():
    # "Draft" is now a state of the working copy, beside what readers see.
    assert {c.label for c in Section.Status} == {"Published", "Coming soon"}
    assert EditorialState.DRAFT.label == "Draft"


@pytest.mark.parametrize(
    "value",
    [
        # 23:30 UTC on 31 May is 00:30 on 1 June in London.
        datetime(2025, 5, 31, 23, 30, tzinfo=UTC),
        datetime(2025, 1, 9, 8, 0, tzinfo=UTC),
        date(2024, 3, 1),
        None,
    ],
)
def test_long_date_reads_as_the_date_filter_writes_it(value):
    template = Template("{% load councils %}{{ value|long_date }}")
    expected = Template('{{ value|date:"j F Y" }}')
    context = Context({"value": value})
    assert template.render(context) == expected.render(context)


def test_council_page_lists_its_contacts_and_forums_in_their_order(
    client, gateshead, darlington
):
    ContactFactory(council=gateshead, role="Quality team", position=2)
    ContactFactory(council=gateshead, role="Brokerage", position=1)
    ContactFactory(council=gateshead, role="Adult social care", position=1)
    ContactFactory(council=darlington, role="Elsewhere team", position=0)
    ProviderForumFactory(council=gateshead, name="Home care forum", position=2)
    ProviderForumFactory(council=gateshead, name="Care home forum", position=2)
    ProviderForumFactory(council=gateshead, name="Market forum", position=1)
    ProviderForumFactory(council=darlington, name="Elsewhere forum", position=0)
    text = client.get(gateshead.get_absolute_url()).text
    found = [
        name
        for name in (
            "Adult social care",
            "Brokerage",
            "Quality team",
            "Elsewhere team",
            "Market forum",
            "Care home forum",
            "Home care forum",
            "Elsewhere forum",
        )
        if name in text
    ]
    assert found == [
        "Adult social care",
        "Brokerage",
        "Quality team",
        "Market forum",
        "Care home forum",
        "Home care forum",
    ]
    assert sorted(found, key=text.index) == found
