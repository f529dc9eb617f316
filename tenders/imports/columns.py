"""The columns of a tender table: our headings, and the headings councils publish.

Headings match case- and punctuation-insensitively: "Contract Description/Title",
"contract description title" and "CONTRACT DESCRIPTION / TITLE" are the same heading.
The admin's import page lists these aliases, so a commissioner can see what a column
may be called. The export writes the first heading of each column, so an exported
table imports again unchanged.
"""

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    field: str
    heading: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


COLUMNS = (
    Column(
        "reference",
        "Reference",
        ("Ref", "Ref no", "Contract reference", "Tender reference", "Our reference"),
        help="Rows update the tender with the same reference; without this column "
        "they match by title, and new tenders get a reference made for them.",
    ),
    Column(
        "title",
        "Contract description or title",
        (
            "Contract Description/Title",
            "Title",
            "Contract title",
            "Contract description",
            "Tender title",
            "Contract name",
            "Contract",
        ),
        required=True,
        help='A trailing footnote marker ("*") is moved into the notes.',
    ),
    Column("description", "Description", ("Details", "Summary", "Scope")),
    Column(
        "service_area",
        "Service area",
        ("Service", "Directorate", "Department", "Commissioning area"),
    ),
    Column(
        "procurement_activity",
        "Procurement activity",
        (
            "Procurement start",
            "Procurement date",
            "Procurement timescale",
            "Tender date",
            "Go to market",
        ),
        help='"Spring 2024", "Winter 2026/27", "Q3 2024", "April 2025", "Apr-25", '
        '"2024/25", a date or "TBC".',
    ),
    Column(
        "commencement",
        "New contract commencement",
        (
            "Contract commencement",
            "Commencement",
            "Contract start",
            "Contract start date",
            "Start date",
        ),
        help="The same date forms as procurement activity.",
    ),
    Column(
        "contract_end",
        "Contract end",
        ("Contract end date", "End date", "Current contract end"),
        help='A date; a month or season ("March 2027") means its last day.',
    ),
    Column(
        "value_min",
        "Estimated value from (£)",
        ("Value from", "Minimum value", "Min value"),
        help='Pounds: "£150,000", "150k" or "1.2m".',
    ),
    Column(
        "value_max",
        "Estimated value to (£)",
        ("Value to", "Maximum value", "Max value"),
    ),
    Column(
        "value",
        "Estimated value (£)",
        ("Value", "Contract value", "Annual value", "Estimated value"),
        help='One amount or a range ("£100k - £200k", "up to £2m", "c. £5m p.a.", '
        '"TBC"); fills the value columns and keeps the text as published.',
    ),
    Column(
        "value_text",
        "Estimated value as published",
        ("Value as published", "Value text", "Value notes"),
        help='Kept as written and shown instead of the amounts, e.g. "c. £5m p.a.". '
        "Filled from the value column when a table has one.",
    ),
    Column(
        "types_of_care",
        "Types of care",
        (
            "Type of care",
            "Type of service",
            "Types of service",
            "Service type",
            "Service types",
            "Care type",
        ),
        help="The portal's types of care, or the council's own aliases for them "
        "(Councils → Type of care aliases); several separated by semicolons or "
        "line breaks.",
    ),
    Column(
        "client_groups",
        "Client groups",
        ("Client group", "Service users", "Service user group", "Who it is for"),
        help="The portal's client groups or the council's aliases for them; several "
        "separated by semicolons or line breaks.",
    ),
    Column(
        "status",
        "Status",
        ("Tender status",),
        help="Planned, Open for bids, Evaluation, Awarded, Cancelled or Withdrawn.",
    ),
    Column(
        "notes",
        "Caveats and notes",
        ("Notes", "Caveats", "Comments", "Note"),
    ),
    Column("contact_name", "Contact name", ("Contact", "Lead officer")),
    Column("contact_email", "Contact email", ("Email", "Contact e-mail")),
    Column(
        "notice_url",
        "Official notice",
        ("Notice", "Notice URL", "Notice link", "Link"),
    ),
    Column("ocid", "OCDS ocid", ("OCID",)),
    Column(
        "council",
        "Council",
        ("Local authority", "Authority", "Council name"),
        help="Optional. Must name the council you import for (name, slug or GSS "
        "code); a row for another council is refused.",
    ),
)

BY_FIELD = {column.field: column for column in COLUMNS}
# What an export writes: every column but the one-cell value, which the export
# writes as its parts (from, to, and the text as published).
EXPORTED = tuple(column.field for column in COLUMNS if column.field != "value")


@dataclass(frozen=True)
class ColumnMatch:
    """How one heading of a file was read."""

    heading: str
    column: Column | None
    ignored: bool = False

    @property
    def label(self) -> str:
        if self.column:
            return self.column.heading
        return "(ignored: not a known heading)" if self.ignored else "(no heading)"


def normalise_heading(text: str) -> str:
    """A heading reduced to letters and digits, for matching."""
    text = str(text or "").casefold().replace("&", "and").replace("£", "")
    return re.sub(r"[\W_]+", "", text)


HEADINGS = {
    normalise_heading(name): column
    for column in COLUMNS
    for name in (column.heading, column.field, *column.aliases)
}


def nearest_heading(heading: str) -> str | None:
    """The known heading most like an unknown one, if any is close."""
    close = difflib.get_close_matches(
        normalise_heading(heading), HEADINGS.keys(), n=1, cutoff=0.6
    )
    return HEADINGS[close[0]].heading if close else None


def match_columns(headings: list[str], report) -> list[tuple[int, Column | None]]:
    """Each heading's column (None for a blank heading), problems added to report.

    A heading the portal does not know is left out with a warning naming the
    nearest known heading, so the rows are still checked in the same pass.
    """
    matched: list[tuple[int, Column | None]] = []
    seen: dict[str, str] = {}
    for index, heading in enumerate(headings):
        if not heading:
            matched.append((index, None))
            report.columns.append(ColumnMatch(heading, None))
            continue
        column = HEADINGS.get(normalise_heading(heading))
        if column is None:
            nearest = nearest_heading(heading)
            hint = f" The nearest known heading is “{nearest}”." if nearest else ""
            report.add_warning(
                1,
                heading,
                heading,
                "This column was ignored: the heading is not one the portal knows."
                f"{hint} Rename it to import it.",
            )
            report.columns.append(ColumnMatch(heading, None, ignored=True))
            continue
        if column.field in seen:
            report.add_error(
                1,
                heading,
                heading,
                f"This column and “{seen[column.field]}” are both "
                f"“{column.heading}”. Keep one of them.",
            )
            continue
        seen[column.field] = heading
        matched.append((index, column))
        report.columns.append(ColumnMatch(heading, column))
    for column in BY_FIELD.values():
        if column.required and column.field not in seen:
            report.add_error(
                1,
                column.heading,
                "",
                f"The table needs a “{column.heading}” column (or one of its "
                "other names).",
            )
    if "value" in seen and ({"value_min", "value_max", "value_text"} & seen.keys()):
        report.add_error(
            1,
            seen["value"],
            seen["value"],
            "Use either one value column or the from/to columns, not both.",
        )
    return matched
