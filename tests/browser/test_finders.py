"""Search and the finders on a 375 px phone: filter groups folded, the result count
and the first result near the top, and no axe violations."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.pages import Page
from tests.browser.test_pages import AXE_SOURCE, AXE_TAGS, RUN_AXE, describe

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("search-375", "/search/?q=care"),
        ("tender-list-375", "/opportunities/"),
        ("arrangements-375", "/opportunities/arrangements/"),
        ("service-directory-375", "/services/"),
    ],
)
def test_on_a_phone_filters_are_folded_and_results_come_soon(new_page, name, url):
    page = new_page(viewport=PHONE)
    response = page.goto(url)
    assert response.status == 200
    groups = page.locator("details.app-finder-group")
    assert groups.count() >= 2
    for i in range(groups.count()):
        assert groups.nth(i).get_attribute("open") is None
        assert not groups.nth(i).locator(".govuk-checkboxes").is_visible()
    # The count and "Skip to results" are on the first screen.
    skip = page.get_by_role("link", name="Skip to results")
    assert skip.bounding_box()["y"] < PHONE["height"]
    # Far fewer than the 3,800 px of unfolded filters before the first result.
    first_result = page.locator("#results a").first.bounding_box()
    assert first_result["y"] < 2000, first_result
    skip.click()
    assert page.url.endswith("#results-heading")
    # A folded group opens with a click (no JavaScript needed: <details>).
    groups.first.locator("summary").click()
    assert groups.first.locator(".govuk-checkboxes").is_visible()
    screenshot(page, Page(name, url), "375")
    page.evaluate(AXE_SOURCE)
    violations = page.evaluate(RUN_AXE, AXE_TAGS)
    assert violations == [], describe(violations)
