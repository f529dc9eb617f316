"""A council's whole MPS prints as one clean document."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PRINT_URL = "/councils/county-durham/print/"
HIDDEN_ON_PAPER = [
    ".govuk-skip-link",
    ".govuk-service-navigation",
    ".govuk-phase-banner",
    ".govuk-template__footer",
    ".app-no-print",
]


@pytest.fixture
def printed(new_page):
    page = new_page()
    page.goto(PRINT_URL)
    page.emulate_media(media="print")
    return page


def test_print_version_leaves_out_navigation_and_banners(printed):
    for selector in HIDDEN_ON_PAPER:
        assert printed.locator(selector).count() > 0, f"{selector} is not on the page"
        assert printed.locator(selector).first.is_hidden(), f"{selector} is printed"
    assert printed.locator("h1").inner_text() == "Durham County Council"


def test_print_version_spells_out_where_links_go(printed):
    links = printed.locator("main a[href^='http']")
    assert links.count() > 0
    for index in range(links.count()):
        link = links.nth(index)
        after = link.evaluate("(a) => getComputedStyle(a, '::after').content")
        assert link.get_attribute("href") in after


def test_print_version_starts_each_section_on_a_new_sheet(printed):
    sections = printed.locator(".app-print-section")
    breaks = sections.evaluate_all(
        "(els) => els.map((el) => getComputedStyle(el).breakBefore)"
    )
    contents = printed.locator("main h2:text-is('Contents') + ol > li").count()
    assert contents >= 10
    assert len(breaks) == contents + 1  # every MPS section, then the contacts
    assert set(breaks) == {"page"}

    ARTIFACTS.mkdir(exist_ok=True)
    pdf = printed.pdf(path=ARTIFACTS / "county-durham-mps.pdf", format="A4")
    sheets = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert sheets > len(breaks), f"{sheets} sheets for {len(breaks)} sections"
