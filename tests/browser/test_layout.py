"""Layout that the page list's checks cannot see: side-by-side columns."""

import pytest

from tests.browser.conftest import DESKTOP, NARROW

pytestmark = pytest.mark.browser


def council_boxes(page):
    page.goto("/compare/vision/")
    boxes = page.locator(".app-compare__council")
    assert boxes.count() == 12
    return [boxes.nth(i).bounding_box() for i in range(3)]


def test_compare_page_puts_councils_side_by_side_on_a_desktop(new_page):
    first, second, third = council_boxes(new_page(viewport=DESKTOP))
    assert first["y"] == second["y"] == third["y"]
    assert first["x"] < second["x"] < third["x"]
    assert first["x"] + first["width"] <= second["x"]


def test_compare_page_stacks_councils_in_one_column_on_a_phone(new_page):
    first, second, _ = council_boxes(new_page(viewport=NARROW))
    assert first["x"] == second["x"]
    assert first["y"] + first["height"] <= second["y"]
