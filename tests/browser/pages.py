"""Every public page type, as the browser tests visit it.

The axe, reflow (320 CSS px), no-JavaScript and screenshot tests run on each entry.
To cover a new page type, add one entry: a name (used in test ids and screenshot
file names), its URL, and the HTTP status it should answer with if not 200.

The URL is either a path on the demo data (``manage.py load_demo_data``), or a URL
name such as ``"tenders:tender-list"``.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    status: int = 200
    # A demo account (load_demo_data) to sign in as, for pages only staff see.
    signed_in_as: str = ""


PAGES = [
    Page("home", "/"),
    Page("council-list", "/councils/"),
    Page("council", "/councils/county-durham/"),
    Page("section-with-table", "/councils/gateshead/quality-of-provision/"),
    Page("section-coming-soon", "/councils/middlesbrough/market-overview/"),
    Page("compare-index", "/compare/"),
    Page("compare", "/compare/vision/"),
    Page("print", "/councils/gateshead/print/"),
    Page("accessibility-statement", "/accessibility/"),
    Page("cookies", "/cookies/"),
    Page("not-found", "/councils/no-such-council/", status=404),
    # Pages that always fail, added for the browser tests by tests/browser/urls.py.
    Page("server-error", "/_test/server-error/", status=500),
    Page("too-many-requests", "/_test/too-many-requests/", status=429),
    Page("tender-list", "tenders:tender-list"),
    Page(
        "tender-list-filtered",
        "/opportunities/?council=county-durham&type_of_care=reablement&sort=commencement",
    ),
    Page("tender-list-empty", "/opportunities/?q=no+such+opportunity+anywhere"),
    Page(
        "tender-list-invalid-filter",
        "/opportunities/?council=nowhere&procurement_from=31%2F02%2F2025",
        status=400,
    ),
    Page("tender-list-bad-page", "/opportunities/?page=99999", status=400),
    Page("tender-detail", "/opportunities/county-durham/DCC-0003/"),
    Page("arrangements", "/opportunities/arrangements/?open_now=on"),
    Page("arrangement-detail", "/opportunities/arrangements/county-durham/4/"),
    Page("service-directory", "providers:service-list"),
    Page("service-directory-filtered", "/services/?council=county-durham"),
    Page("service-detail", "/services/1/"),
    Page("quality", "quality:overview"),
    Page("quality-council", "/quality/gateshead/"),
    Page("market-list", "councils:market-list"),
    Page("market-home-care", "/markets/domiciliary-care/"),
    Page(
        "market-chosen-councils",
        "/markets/domiciliary-care/?council=county-durham&council=north-tyneside",
    ),
    Page(
        "market-invalid-council",
        "/markets/residential-care/?council=nowhere",
        status=400,
    ),
    Page("indicator-list", "councils:indicator-list"),
    Page("indicator-compare", "/indicators/permanent-admissions-care-homes/"),
    Page("indicator-projection", "/indicators/population-65-plus-share/?sort=highest"),
    Page(
        "indicator-bad-sort", "/indicators/population-65-plus-share/?sort=x", status=400
    ),
    Page("section-on-this-page", "/councils/county-durham/adults-services/"),
    Page("changes", "councils:change-list"),
    Page("changes-council", "/councils/county-durham/changes/"),
    Page("changes-filtered", "/changes/?council=county-durham"),
    Page("changes-invalid-filter", "/changes/?council=nowhere", status=400),
    Page("changes-type-of-care", "/changes/?type_of_care=domiciliary-care"),
    Page("change-detail", "/changes/1/"),
    # A commissioner without a second factor: the demo administrator has none set
    # up, and previews ask administrators for it, as the admin does.
    Page(
        "section-preview",
        "/preview/sections/4/",
        signed_in_as="durham-commissioner",
    ),
    Page(
        "tender-preview",
        "/opportunities/preview/1/",
        signed_in_as="durham-commissioner",
    ),
    Page(
        "intention-preview",
        "/preview/intentions/1/",
        signed_in_as="durham-commissioner",
    ),
]


def page_url(page: Page) -> str:
    """The page's path."""
    if page.url.startswith("/"):
        return page.url
    return reverse(page.url)


def by_name(name: str) -> Page:
    return next(page for page in PAGES if page.name == name)


page_params = pytest.mark.parametrize("entry", PAGES, ids=[p.name for p in PAGES])
