"""Layout that the page list's checks cannot see: side-by-side columns, and
tables whose rows stack on a phone."""

from itertools import pairwise

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


def table_cells(page, caption):
    """The boxes of the first body row's header and cells of the table with this
    caption, and whether the table fits its scrolling box."""
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    row = table.locator("tbody tr").first
    cells = row.locator("th, td")
    boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
    fits = table.evaluate(
        "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"
    )
    return boxes, fits, row


COUNCIL_PAGE = "/councils/county-durham/"
MARKET_PAGE = "/markets/domiciliary-care/?council=county-durham&council=gateshead"
INDICATOR_PAGE = "/indicators/population-65-plus-growth/"


@pytest.mark.parametrize(
    ("path", "caption"),
    [
        (COUNCIL_PAGE, "key figures with the region and England"),
        (COUNCIL_PAGE, "commissioning intentions by type of care"),
        (COUNCIL_PAGE, "upcoming tender opportunities"),
        (MARKET_PAGE, "Share of the population aged 65 and over"),
        (MARKET_PAGE, "Rates and fees for domiciliary care"),
        (MARKET_PAGE, "Frameworks and contracts for domiciliary care"),
        (MARKET_PAGE, "Upcoming tender opportunities for domiciliary care"),
        (INDICATOR_PAGE, "every figure on the portal, actual and projected"),
        ("/quality/", "latest published figures by council"),
        ("/quality/gateshead/", "The same figures as a table, with their source"),
    ],
)
def test_tables_of_words_stack_each_row_on_a_phone(new_page, path, caption):
    page = new_page(viewport=NARROW)
    page.goto(path)
    boxes, fits, row = table_cells(page, caption)
    # One cell under another, each as wide as the row, nothing to scroll sideways.
    assert len({round(box["x"]) for box in boxes}) == 1, boxes
    assert all(a["y"] + a["height"] <= b["y"] for a, b in pairwise(boxes))
    assert fits
    # Each cell is named by its column, as its header would name it.
    label = row.locator("td").first.evaluate(
        "td => getComputedStyle(td, '::before').content"
    )
    header = page.locator("table", has=page.locator("caption", has_text=caption))
    assert label == f'"{row.locator("td").first.get_attribute("data-label")}: "'
    names = header.locator("thead th").all_inner_texts()
    assert row.locator("td").first.get_attribute("data-label") == names[1]


@pytest.mark.parametrize(
    ("path", "caption"),
    [
        (COUNCIL_PAGE, "key figures with the region and England"),
        (COUNCIL_PAGE, "upcoming tender opportunities"),
        (MARKET_PAGE, "Rates and fees for domiciliary care"),
    ],
)
def test_tables_of_words_keep_their_columns_on_a_desktop(new_page, path, caption):
    page = new_page(viewport=DESKTOP)
    page.goto(path)
    boxes, _, row = table_cells(page, caption)
    assert len({round(box["y"]) for box in boxes}) == 1, boxes
    assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)
    assert row.locator("td").first.evaluate(
        "td => getComputedStyle(td, '::before').content"
    ) in ("none", "normal")


def test_provider_forums_how_to_join_is_in_the_same_small_print(new_page):
    page = new_page(viewport=DESKTOP)
    page.goto(COUNCIL_PAGE)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(
            '#provider-forums ~ p.govuk-body-s, #provider-forums ~ div.govuk-body-s p'
        )].map(p => getComputedStyle(p).fontSize)"""
    )
    assert len(sizes) > 2
    assert set(sizes) == {"16px"}


def test_a_stacked_sortable_table_keeps_its_sort_links_on_view(new_page):
    page = new_page(viewport=NARROW)
    page.goto("/indicators/permanent-admissions-care-homes/")
    table = page.locator("table.app-table--sortable")
    for name in ("Area", "Figure"):
        link = table.locator("thead a", has_text=name)
        # On view: what is drawn at the middle of the link is the link.
        assert link.evaluate(
            """a => {
                a.scrollIntoView();
                const box = a.getBoundingClientRect();
                const at = document.elementFromPoint(
                    box.left + box.width / 2, box.top + box.height / 2);
                return box.width > 20 && a.contains(at);
            }"""
        )
    # The headers that sort nothing are for screen readers only; the rows stack.
    period = table.locator("thead th", has_text="Period").bounding_box()
    assert period["width"] <= 1
    first, second = (
        table.locator("tbody tr").first.locator("th, td").nth(i) for i in (0, 1)
    )
    assert first.bounding_box()["y"] < second.bounding_box()["y"]
