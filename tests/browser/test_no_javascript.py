"""The portal works with JavaScript switched off (or failed to load)."""

import pytest

from tests.browser.conftest import DESKTOP, NARROW

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "320"])
def test_council_and_compare_pages_can_be_reached_without_javascript(
    new_page, viewport
):
    page = new_page(viewport=viewport, java_script_enabled=False)
    page.goto("/")
    # Without JavaScript the service navigation has no menu button: its links show.
    page.locator(".govuk-service-navigation").get_by_role(
        "link", name="Councils", exact=True
    ).click()
    page.wait_for_url("**/councils/")
    page.get_by_role("link", name="Gateshead Council", exact=True).click()
    page.wait_for_url("**/councils/gateshead/")
    page.get_by_role("link", name="Market overview", exact=True).click()
    page.wait_for_url("**/councils/gateshead/market-overview/")
    page.get_by_role(
        "link", name="Compare “Market overview” across all councils"
    ).click()
    page.wait_for_url("**/compare/market-overview/")
    assert page.locator("h1").inner_text() == "Market overview"
    page.locator(".app-compare").get_by_role(
        "link", name="Durham County Council", exact=True
    ).click()
    page.wait_for_url("**/councils/county-durham/")
    page.get_by_role("link", name="Print or save as PDF").click()
    page.wait_for_url("**/councils/county-durham/print/")
    assert page.locator("h1").inner_text() == "Durham County Council"
