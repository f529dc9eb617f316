"""Every page type in pages.py: axe-core, reflow at 320 CSS px, no JavaScript."""

import json
from pathlib import Path

import pytest

from tests.browser.conftest import DESKTOP, NARROW, screenshot, visit
from tests.browser.pages import page_params

pytestmark = pytest.mark.browser

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no wcag22a rules).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
  }));
}"""

# Elements that stick out past the right edge of the viewport, other than those
# inside a box that scrolls or clips them (such as .app-table-container).
OVERFLOWING_ELEMENTS = """() => {
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
    .filter((el) => !clipped(el))
    .slice(0, 10)
    .map((el) => el.outerHTML.slice(0, 160));
}"""


def describe(violations) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"{violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['summary']}")
    return "\n".join(lines)


@page_params
def test_page_has_no_axe_violations_for_wcag_22_aa(new_page, entry):
    page = new_page(viewport=DESKTOP)
    visit(page, entry)
    screenshot(page, entry, "desktop")
    page.evaluate(AXE_SOURCE)
    violations = page.evaluate(RUN_AXE, AXE_TAGS)
    assert violations == [], (
        f"axe-core found {len(violations)} kinds of WCAG A/AA violation on "
        f"{entry.name}:\n{describe(violations)}"
    )


@page_params
def test_page_loads_without_script_or_content_security_policy_errors(new_page, entry):
    page = new_page(viewport=DESKTOP)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    visit(page, entry)
    # GOV.UK Frontend's module ran: it marks initialised components.
    page.wait_for_selector(
        "[data-module='govuk-skip-link'][data-govuk-skip-link-init]", state="attached"
    )
    # An error page's own status (404, 400) is reported as a console error.
    own_status = f"status of {entry.status}"
    errors = [e for e in errors if entry.status == 200 or own_status not in e]
    assert errors == []


@page_params
def test_page_reflows_without_horizontal_scrolling_at_320_css_pixels(new_page, entry):
    page = new_page(viewport=NARROW)
    visit(page, entry)
    screenshot(page, entry, "320")
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{entry.name} is {scroll_width}px wide in a {inner_width}px viewport; "
        f"these stick out:\n" + "\n".join(page.evaluate(OVERFLOWING_ELEMENTS))
    )


@page_params
def test_page_works_without_javascript(new_page, entry):
    page = new_page(viewport=DESKTOP, java_script_enabled=False)
    visit(page, entry)
    assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    assert page.locator("main#main-content h1").first.is_visible()
    assert page.get_by_role("link", name="Accessibility statement").is_visible()


def test_axe_check_reports_a_violation_when_there_is_one(new_page):
    """The harness itself works: a page with an unlabelled field fails."""
    page = new_page(viewport=DESKTOP)
    page.goto("/")
    page.evaluate(
        "() => document.getElementById('main-content')"
        ".append(document.createElement('input'))"
    )
    page.evaluate(AXE_SOURCE)
    violations = page.evaluate(RUN_AXE, AXE_TAGS)
    assert [v["id"] for v in violations] == ["label"]
    assert "input" in describe(violations)
