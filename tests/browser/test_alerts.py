"""The email alert journey in a browser: subscribe with mistakes, then manage."""

import pytest

from tests.browser.conftest import DESKTOP, NARROW, PORTAL, SCREENSHOTS
from tests.browser.test_pages import AXE_SOURCE, AXE_TAGS, RUN_AXE, describe

pytestmark = pytest.mark.browser


def axe(page) -> list:
    page.evaluate(AXE_SOURCE)
    return page.evaluate(RUN_AXE, AXE_TAGS)


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "narrow"])
def test_a_subscribe_form_with_mistakes_shows_an_accessible_error_summary(
    new_page, viewport
):
    page = new_page(viewport=viewport)
    page.goto(f"{PORTAL['url']}/opportunities/?council=county-durham")
    page.get_by_role("link", name="Get emails about this search").click()
    page.get_by_label("Email address").fill("not an address")
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()

    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Enter an email address in the correct format" in summary.inner_text()
    # The summary's link takes the reader to the field.
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = "desktop" if viewport == DESKTOP else "narrow"
    page.screenshot(
        path=SCREENSHOTS / f"alerts-subscribe-error-{size}.png", full_page=True
    )
    violations = axe(page)
    assert violations == [], describe(violations)


def test_a_subscribe_form_filled_in_goes_to_check_your_email(new_page):
    page = new_page(viewport=DESKTOP)
    page.goto(f"{PORTAL['url']}/councils/gateshead/")
    page.get_by_role("link", name="Get emails about this council").click()
    page.get_by_label("Email address").fill("browser-test@example.com")
    page.get_by_label("Once a week").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Check your email"
