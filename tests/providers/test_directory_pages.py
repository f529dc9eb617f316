"""The public care services directory: filters, errors, detail pages, query counts."""

from datetime import date

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.models import CareService
from tests.factories import CareServiceFactory, ServiceTypeFactory, SpecialismFactory

pytestmark = pytest.mark.django_db
LIST_URL = reverse("providers:service-list")


def names(response):
    return [service.name for service in response.context["services"]]


def test_directory_lists_services_with_rating_in_words(client, gateshead):
    CareServiceFactory(council=gateshead, name="Riverside Court", rating="good")
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert "Riverside Court" in response.text
    assert ">Good</strong>" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"council": "darlington"}, ["Darlington home"]),
        ({"service_type": "supported-living-service"}, ["Gateshead living"]),
        ({"client_group": "dementia"}, ["Darlington home"]),
        ({"rating": "requires_improvement"}, ["Gateshead living"]),
        ({"setting": "care_home"}, ["Darlington home"]),
        ({"setting": "community"}, ["Gateshead living"]),
    ],
)
def test_each_filter_narrows_the_list(client, gateshead, darlington, query, expected):
    CareServiceFactory(
        council=darlington,
        name="Darlington home",
        care_home=True,
        rating="good",
        service_types=[ServiceTypeFactory(name="Care home service with nursing")],
        specialisms=[SpecialismFactory(name="Dementia")],
    )
    CareServiceFactory(
        council=gateshead,
        name="Gateshead living",
        rating="requires_improvement",
        service_types=[ServiceTypeFactory(name="Supported living service")],
    )
    response = client.get(LIST_URL, query)
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"council": "atlantis"},
        {"rating": "brilliant"},
        {"setting": "moon"},
        {"service_type": "<script>"},
        {"page": "abc"},
        {"page": "99999"},
    ],
)
def test_bad_filter_or_page_shows_an_error_summary_with_400(client, gateshead, query):
    CareServiceFactory(council=gateshead)
    response = client.get(LIST_URL, query)
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "govuk-error-summary" in response.text
    assert response.text.count("<title>Error: ") == 1


def test_list_page_query_count_does_not_grow_with_rows(client, gateshead):
    service_type = ServiceTypeFactory()
    specialism = SpecialismFactory()

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST_URL).status_code == 200
        return len(queries)

    CareServiceFactory(
        council=gateshead, service_types=[service_type], specialisms=[specialism]
    )
    one = count_queries()
    for _ in range(6):
        CareServiceFactory(
            council=gateshead, service_types=[service_type], specialisms=[specialism]
        )
    assert count_queries() == one


def test_list_is_paged_25_at_a_time(client, gateshead):
    CareServiceFactory.create_batch(26, council=gateshead)
    first = client.get(LIST_URL)
    assert len(first.context["services"]) == 25
    second = client.get(LIST_URL, {"page": 2})
    assert len(second.context["services"]) == 1


def test_detail_page_shows_what_the_service_is_and_its_rating_date(client, gateshead):
    from datetime import date

    service = CareServiceFactory(
        council=gateshead,
        name="Riverside Court",
        care_home=True,
        beds=40,
        rating="outstanding",
        rating_published_on=date(2024, 2, 1),
        cqc_location_id="1-000000009",
        council_contracted=True,
    )
    response = client.get(service.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Care home, 40 beds" in text
    assert "Outstanding" in text
    assert "published 1 February 2024" in text
    assert "Contracted or accredited by Gateshead Council" in text
    assert "Source: Care Quality Commission" in text


def test_unregulated_service_says_cqc_does_not_regulate_it(client, gateshead):
    service = CareServiceFactory(council=gateshead, extra_care_type="dementia")
    response = client.get(service.get_absolute_url())
    assert "Not regulated by CQC" in response.text
    assert "Dementia extra care" in response.text


def test_demo_service_is_labelled_as_demo_data(client, gateshead):
    service = CareServiceFactory(council=gateshead, is_demo=True)
    assert "Demo data" in client.get(LIST_URL).text
    assert "It is not a real service" in client.get(service.get_absolute_url()).text


def test_unknown_service_is_404(client, db):
    response = client.get(reverse("providers:service-detail", args=[999]))
    assert response.status_code == 404


def test_services_appears_in_the_navigation(client, db):
    response = client.get(reverse("home"))
    assert f'href="{LIST_URL}"' in response.text


def test_error_summary_names_the_filter_in_plain_words(client, db):
    response = client.get(LIST_URL, {"council": "atlantis", "rating": "brilliant"})
    assert response.status_code == 400
    assert "Choose a council from the list" in response.text
    assert "Choose a CQC rating from the list" in response.text
    assert 'href="#id_council"' in response.text


def test_the_directory_pages_through_a_bounded_depth_and_says_so(
    client, gateshead, monkeypatch
):
    monkeypatch.setattr("councils.paging.BoundedPaginator.max_pages", 2)
    CareServiceFactory.create_batch(51, council=gateshead)

    last = client.get(LIST_URL, {"page": 2})
    beyond = client.get(LIST_URL, {"page": 3})

    assert last.status_code == 200
    assert "Only the first 2 pages (50 results) can be paged through" in last.text
    assert beyond.status_code == 400
    assert "Only the first 2 pages (50 results) can be paged through" in beyond.text


def test_counts_and_total_follow_a_new_service_at_once(client, gateshead, darlington):
    CareServiceFactory(council=gateshead, rating="good")
    CareServiceFactory(council=darlington, rating="good")
    query = {"council": "gateshead", "rating": "good"}
    before = client.get(LIST_URL, query)
    assert "1 service" in before.text

    CareServiceFactory(council=gateshead, rating="good", name="Opened today")
    after = client.get(LIST_URL, query)

    assert "2 services" in after.text
    assert "Opened today" in after.text
    assert "Gateshead Council (2)" in after.text
    assert "Good (2)" in after.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ash House", "Beech Court", "Cedar Lodge", "Elm View"]),
        # Darlington before Gateshead, then by name within each council.
        ("council", ["Cedar Lodge", "Elm View", "Ash House", "Beech Court"]),
        # Newest rating first; the same date by name; never rated last.
        ("rated", ["Cedar Lodge", "Ash House", "Elm View", "Beech Court"]),
    ],
)
def test_each_sort_orders_the_directory_as_it_says(
    client, gateshead, darlington, sort, expected
):
    CareServiceFactory(
        council=gateshead, name="Beech Court", rating="", rating_published_on=None
    )
    CareServiceFactory(
        council=gateshead,
        name="Ash House",
        rating="good",
        rating_published_on=date(2024, 3, 5),
    )
    CareServiceFactory(
        council=darlington,
        name="Elm View",
        rating="good",
        rating_published_on=date(2024, 3, 5),
    )
    CareServiceFactory(
        council=darlington,
        name="Cedar Lodge",
        rating="outstanding",
        rating_published_on=date(2025, 1, 20),
    )

    response = client.get(LIST_URL, {"sort": sort})

    assert response.status_code == 200
    assert names(response) == expected


def test_result_rows_are_the_markup_of_the_result_template(gateshead):
    """``{% service_results %}`` writes what the included template would, every
    value escaped, for each way a service's type and rating read."""
    home_care = ServiceTypeFactory(name="Homecare <agencies> & 'more'")
    CareServiceFactory(
        council=gateshead,
        name='<b>Care & support</b> "o\'clock"',
        postcode="NE8 <1HH>",
        is_demo=True,
        rating="requires_improvement",
        rating_published_on=date(2025, 5, 1),
        service_types=[home_care, ServiceTypeFactory(name="Extra care")],
    )
    CareServiceFactory(
        council=gateshead,
        name="Extra care flats",
        postcode="",
        extra_care_type="dementia",
        rating="good",
    )
    CareServiceFactory(council=gateshead, name="Left", deregistered_on=date(2024, 1, 2))
    CareServiceFactory(council=gateshead, name="Registered", cqc_location_id="1-23")
    CareServiceFactory(council=gateshead, name="Care home", care_home=True)
    CareServiceFactory(council=gateshead, name="Unregulated")
    rows = list(
        CareService.objects.select_related("council")
        .prefetch_related("service_types")
        .order_by("pk")
    )
    looped = Template(
        "{% for service in services %}"
        '{% include "providers/includes/service_result.html" %}    {% endfor %}'
    ).render(Context({"services": rows}))
    written = Template("{% load providers %}{% service_results services %}").render(
        Context({"services": rows})
    )
    assert written == looped
    assert "&lt;b&gt;Care &amp; support" in written
    assert "Extra care; Homecare &lt;agencies&gt; &amp; &#x27;more&#x27;" in written
    assert "published 1 May 2025" in written
    assert "Dementia extra care" in written
    for text in (
        "Left CQC's register",
        "No rating recorded",
        "Not regulated by CQC",
        "Not recorded",
    ):
        assert text in written
    assert rows[0].get_absolute_url() in written
