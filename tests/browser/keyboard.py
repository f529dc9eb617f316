"""Moving through pages with the Tab key, checking the focus can be seen at each stop."""

import json

# What makes a focused element look different. GOV.UK Frontend shows focus with a
# yellow background and a black underline (box-shadow) on links and buttons, and with
# a ring around the box drawn by the label's ::before on checkboxes and radios.
FOCUS_LOOK = """(el) => {
  const props = [
    "outlineStyle", "outlineWidth", "outlineColor", "boxShadow",
    "backgroundColor", "color", "borderColor", "textDecorationLine",
    "textDecorationThickness",
  ];
  const look = (style) => props.map((p) => style[p]).join("|");
  const parts = [look(getComputedStyle(el))];
  for (const label of el.labels || []) {
    parts.push(look(getComputedStyle(label, "::before")));
    parts.push(look(getComputedStyle(label, "::after")));
  }
  return parts.join(" / ");
}"""

DESCRIBE = """(el) => el === document.body ? "<body>" :
  `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> ` +
  (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60)
"""


def assert_focus_visible(page) -> None:
    """The focused element looks different from how it looks without focus."""
    focused = page.evaluate_handle("document.activeElement")
    what = focused.evaluate(DESCRIBE)
    assert what != "<body>", "nothing has focus"
    with_focus = focused.evaluate(FOCUS_LOOK)
    focused.evaluate("(el) => el.blur()")
    without_focus = focused.evaluate(FOCUS_LOOK)
    focused.evaluate("(el) => el.focus({focusVisible: true})")
    assert page.evaluate("(el) => document.activeElement === el", focused)
    assert with_focus != without_focus, f"no visible focus indicator on {what}"


def tab_to(page, predicate: str, *, limit: int = 60) -> str:
    """Press Tab until ``predicate(document.activeElement)`` is true.

    Checks the focus indicator at every stop on the way, and returns a description
    of the element reached. ``predicate`` is a JavaScript function of one element.
    """
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        visited.append(page.evaluate(f"() => ({DESCRIBE})(document.activeElement)"))
        assert_focus_visible(page)
        if page.evaluate(f"() => ({predicate})(document.activeElement)"):
            return visited[-1]
    raise AssertionError(
        f"Tab never reached the element after {limit} presses; it visited:\n"
        + "\n".join(visited)
    )


def link_named(text: str) -> str:
    """A predicate: a link whose text is ``text``."""
    return f"(el) => el.tagName === 'A' && el.innerText.trim() === {json.dumps(text)}"
