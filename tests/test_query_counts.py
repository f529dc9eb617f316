"""Every public page makes the same number of queries with one row as with many.

Each page is measured for one council with one of everything it shows (tenders,
arrangements, sections, intentions, figures, rates, care services, contacts,
changes), then again after that same council's rows have grown: a query per row
(an N+1) shows as a higher count. The rows grown are the measured council's own,
never another council's, so a page listing them cannot hide a per-row lookup.
"""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.models import IndicatorValue, Publication, Section
from councils.views import COMPARE_MAX
from providers.models import CareService
from tenders.models import Arrangement, Tender
from tests.factories import (
    ArrangementFactory,
    CareServiceFactory,
    ClientGroupFactory,
    CommissioningIntentionFactory,
    ContactFactory,
    CouncilFactory,
    CpvCodeFactory,
    HeadingFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProviderFactory,
    RateFactory,
    SectionFactory,
    ServiceTypeFactory,
    TenderFactory,
    TypeOfCareFactory,
)

pytestmark = pytest.mark.django_db
MANY = 4


@pytest.fixture(autouse=True)
def downloads_streamed(settings):
    """Downloads are measured as they stream from the database: with a complete
    file current they make none (tests/test_download_files.py), and without one
    the first request also queues a build."""
    settings.DOWNLOAD_FILES = False


def grow(council, n: int) -> None:
    """``n`` more of every kind of row the public pages show, for ``council``."""
    care = TypeOfCareFactory(name="Domiciliary care", slug="domiciliary-care")
    group = ClientGroupFactory(name="Older people", slug="older-people")
    cpv = CpvCodeFactory(
        code="85311100", description="Welfare services for the elderly"
    )
    service_type = ServiceTypeFactory(
        name="Domiciliary care service", type_of_care=care
    )
    for _ in range(n):
        heading = HeadingFactory()
        section = SectionFactory(council=council, heading=heading)
        TenderFactory(
            council=council,
            types_of_care=[care],
            client_groups=[group],
            cpv_codes=[cpv],
        )
        arrangement = ArrangementFactory(
            council=council, types_of_care=[care], client_groups=[group]
        )
        RateFactory(council=council, type_of_care=care, arrangement=arrangement)
        CommissioningIntentionFactory(
            council=council, type_of_care=care, sections=[section]
        )
        indicator = IndicatorFactory(at_a_glance=True, types_of_care=[care])
        IndicatorValueFactory(indicator=indicator, council=council)
        CareServiceFactory(
            council=council,
            provider=ProviderFactory(),
            service_types=[service_type],
            rating="good",
            rating_published_on=date(2025, 3, 1),
        )
        ContactFactory(council=council)


def first_tender(council):
    return Tender.objects.filter(council=council).order_by("pk").first()


def first_section(council):
    return Section.live.filter(council=council).order_by("pk").first()


# (name, address of the page for the council). Addresses are worked out after the
# first rows exist, from the rows the page shows.
PAGES = [
    ("home", lambda c: "/"),
    ("council list", lambda c: reverse("councils:council-list")),
    ("council page", lambda c: c.get_absolute_url()),
    ("council print", lambda c: reverse("councils:council-print", args=[c.slug])),
    ("section", lambda c: first_section(c).get_absolute_url()),
    ("compare index", lambda c: reverse("councils:compare-index")),
    ("compare", lambda c: first_section(c).heading.get_absolute_url()),
    ("changes", lambda c: reverse("councils:change-list")),
    ("council changes", lambda c: reverse("councils:council-changes", args=[c.slug])),
    (
        "change",
        lambda c: reverse(
            "councils:change-detail",
            args=[Publication.objects.filter(council=c).order_by("pk").first().pk],
        ),
    ),
    ("change feed", lambda c: reverse("councils:change-feed")),
    (
        "council change feed",
        lambda c: reverse("councils:council-change-feed", args=[c.slug]),
    ),
    ("markets", lambda c: reverse("councils:market-list")),
    ("market", lambda c: reverse("councils:market-detail", args=["domiciliary-care"])),
    (
        "market, council chosen",
        lambda c: (
            reverse("councils:market-detail", args=["domiciliary-care"])
            + f"?council={c.slug}"
        ),
    ),
    ("indicators", lambda c: reverse("councils:indicator-list")),
    (
        "indicator",
        lambda c: (
            c.indicator_values.order_by("pk").first().indicator.get_absolute_url()
        ),
    ),
    (
        "indicator, council chosen",
        lambda c: (
            c.indicator_values.order_by("pk").first().indicator.get_absolute_url()
            + f"?council={c.slug}"
        ),
    ),
    ("figures CSV", lambda c: reverse("councils:indicator-figures-csv")),
    ("figures JSON", lambda c: reverse("councils:indicator-figures-json")),
    ("intentions CSV", lambda c: reverse("councils:intention-list-csv")),
    ("intentions JSON", lambda c: reverse("councils:intention-list-json")),
    ("finder", lambda c: reverse("tenders:tender-list")),
    (
        "finder filtered",
        lambda c: (
            reverse("tenders:tender-list")
            + f"?council={c.slug}&type_of_care=domiciliary-care&client_group=older-people"
        ),
    ),
    ("finder newest", lambda c: reverse("tenders:tender-list") + "?sort=newest"),
    ("finder title", lambda c: reverse("tenders:tender-list") + "?sort=title"),
    (
        "finder contract start",
        lambda c: reverse("tenders:tender-list") + "?sort=commencement",
    ),
    ("tender", lambda c: first_tender(c).get_absolute_url()),
    ("tender feed", lambda c: reverse("tenders:tender-feed")),
    ("tenders CSV", lambda c: reverse("tenders:tender-list-csv")),
    ("tenders JSON", lambda c: reverse("tenders:tender-list-json")),
    ("tenders OCDS", lambda c: reverse("tenders:tender-list-ocds")),
    ("arrangements", lambda c: reverse("tenders:arrangement-list")),
    (
        "arrangement",
        lambda c: (
            Arrangement.live.filter(council=c).order_by("pk").first().get_absolute_url()
        ),
    ),
    ("arrangements CSV", lambda c: reverse("tenders:arrangement-list-csv")),
    ("arrangements JSON", lambda c: reverse("tenders:arrangement-list-json")),
    ("rates CSV", lambda c: reverse("tenders:rate-list-csv")),
    ("rates JSON", lambda c: reverse("tenders:rate-list-json")),
    ("directory", lambda c: reverse("providers:service-list")),
    (
        "directory filtered",
        lambda c: reverse("providers:service-list") + f"?council={c.slug}",
    ),
    (
        "care service",
        lambda c: (
            CareService.objects.filter(council=c)
            .order_by("pk")
            .first()
            .get_absolute_url()
        ),
    ),
    ("services CSV", lambda c: reverse("providers:service-list-csv")),
    ("services JSON", lambda c: reverse("providers:service-list-json")),
    ("quality overview", lambda c: reverse("quality:overview")),
    ("council quality", lambda c: reverse("quality:council-quality", args=[c.slug])),
    ("quality figures CSV", lambda c: reverse("quality:figures-csv")),
    ("quality figures JSON", lambda c: reverse("quality:figures-json")),
]
SEARCH = reverse("councils:search")
PAGES += [
    ("search", lambda c: f"{SEARCH}?q=care"),
    ("search phrase", lambda c: f"{SEARCH}?q=home+care"),
    ("search by council", lambda c: f"{SEARCH}?q=care&council={c.slug}&kind=tender"),
    ("opportunities keyword", lambda c: reverse("tenders:tender-list") + "?q=care"),
    (
        "arrangements keyword",
        lambda c: reverse("tenders:arrangement-list") + "?q=care",
    ),
    ("directory keyword", lambda c: reverse("providers:service-list") + "?q=care"),
]


def queries(client, path: str) -> int:
    """Queries made by a request for ``path``, read to its end.

    A request with an extra parameter first takes one-off lookups (content types)
    out of the count, without warming any page cache for ``path`` itself.
    """
    warm = client.get(path + ("&" if "?" in path else "?") + "warm=1")
    assert warm.status_code == 200, (path, warm.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        response.getvalue()
    return len(captured)


@pytest.mark.parametrize(("name", "address"), PAGES, ids=[name for name, _ in PAGES])
def test_page_queries_do_not_grow_with_the_councils_own_rows(client, name, address):
    council = CouncilFactory(slug="measured")
    grow(council, 1)
    path = address(council)
    one = queries(client, path)

    grow(council, MANY)
    many = queries(client, path)

    assert many == one, f"{name}: {one} queries with one of each row, {many} with more"


NATIONAL_PAGES = [
    ("market", lambda: reverse("councils:market-detail", args=["domiciliary-care"])),
    (
        "indicator",
        lambda: IndicatorValue.objects.order_by("pk")[0].indicator.get_absolute_url(),
    ),
]


@pytest.mark.parametrize(
    ("name", "address"), NATIONAL_PAGES, ids=[name for name, _ in NATIONAL_PAGES]
)
def test_comparison_pages_do_not_grow_with_the_number_of_councils(
    client, name, address
):
    """Past the councils a page compares side by side, another council with every
    kind of row adds no query: the page summarises until councils are chosen."""
    for _ in range(COMPARE_MAX + 1):
        grow(CouncilFactory(), 1)
    path = address()
    one = queries(client, path)

    for _ in range(MANY):
        grow(CouncilFactory(), 1)
    many = queries(client, path)

    assert many == one, f"{name}: {one} queries, {many} with more councils"
