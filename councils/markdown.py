"""Commissioners write MPS text in Markdown; this turns it into safe GOV.UK-styled HTML.

Two layers: markdown-it runs with raw HTML switched off and rejects unsafe link
schemes, then nh3 cleans the output against an allow-list. Either alone would do;
both together mean a bug in one does not reach the page. With raw HTML off, HTML
typed into the text is shown as text (escaped), never run and never silently
dropped.

Headings get ids (``h-`` and their words) so a long section can list them under
"On this page" and readers can link to them.
"""

from dataclasses import dataclass
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

GOVUK_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
    "link_open": "govuk-link",
    "thead_open": "govuk-table__head",
    "tbody_open": "govuk-table__body",
    "tr_open": "govuk-table__row",
    "th_open": "govuk-table__header",
    "td_open": "govuk-table__cell",
    "blockquote_open": "govuk-inset-text",
    "hr": "govuk-section-break govuk-section-break--m govuk-section-break--visible",
}
HEADING_CLASSES = {
    "h1": "govuk-heading-l",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "h5": "govuk-heading-s",
    "h6": "govuk-heading-s",
}
ALLOWED_TAGS = {
    "a", "blockquote", "br", "caption", "code", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title"},
    "th": {"scope"},
    "div": {"tabindex"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
# Headings listed under "On this page": the section's own subheadings.
CONTENTS_LEVEL = "h2"
HEADING_ID_PREFIX = "h-"


@dataclass(frozen=True)
class ContentsEntry:
    anchor: str
    text: str


ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _all_tokens(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _all_tokens(token.children)


def _captions_from_table_lines(state) -> None:
    """A paragraph "Table: …" just before a table becomes that table's caption."""
    tokens = state.tokens
    for index in range(len(tokens) - 3):
        opening, inline, closing, table = tokens[index : index + 4]
        if (
            opening.type == "paragraph_open"
            and table.type == "table_open"
            and inline.content.startswith("Table:")
        ):
            table.meta["caption"] = inline.content.removeprefix("Table:").strip()
            for token in (opening, inline, closing):
                token.hidden = True
                token.children = []
                token.content = ""


def _heading_ids(state) -> None:
    """Give each heading a unique id from its words; list the h2s in the env."""
    taken = set()
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        text = "".join(
            child.content
            for child in inline.children or []
            if child.type in ("text", "code_inline")
        )
        base = HEADING_ID_PREFIX + (slugify(text) or "heading")
        anchor, number = base, 1
        while anchor in taken:
            number += 1
            anchor = f"{base}-{number}"
        taken.add(anchor)
        token.attrSet("id", anchor)
        if token.tag == CONTENTS_LEVEL:
            state.env.setdefault("contents", []).append(ContentsEntry(anchor, text))


def _add_govuk_classes(state) -> None:
    for token in _all_tokens(state.tokens):
        css_class = GOVUK_CLASSES.get(token.type)
        if token.type == "heading_open":
            css_class = HEADING_CLASSES[token.tag]
        if token.type == "th_open":
            token.attrs.pop("style", None)
            token.attrSet("scope", "col")
        if token.type == "td_open":
            token.attrs.pop("style", None)
        if css_class:
            token.attrSet("class", css_class)


def _table_open(self, tokens, idx, options, env):
    # Wide tables scroll inside their own box so the page still reflows at 320px.
    html = (
        '<div class="app-table-container" tabindex="0">\n<table class="govuk-table">\n'
    )
    if caption := tokens[idx].meta.get("caption"):
        html += (
            '<caption class="govuk-table__caption govuk-table__caption--s">'
            f"{escapeHtml(caption)}</caption>\n"
        )
    return html


def _table_close(self, tokens, idx, options, env):
    return "</table>\n</div>\n"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "linkify": False, "typographer": False}
    )
    md.enable("table")
    md.core.ruler.push("table_captions", _captions_from_table_lines)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("govuk_classes", _add_govuk_classes)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


def render_markdown(text: str) -> SafeString:
    """Render commissioner-written Markdown to sanitised HTML."""
    return render_markdown_with_contents(text)[0]


def render_markdown_with_contents(
    text: str,
) -> tuple[SafeString, list[ContentsEntry]]:
    """Sanitised HTML and the "On this page" entries (the text's h2 headings)."""
    env = {}
    html = _parser().render(text or "", env)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    safe = mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 against an allow-list
    return safe, env.get("contents", [])
