"""Checking a table's rows: one parser per column, every problem named.

Each parser takes a cell's text and returns the model values it stands for (a date
column fills its text and its window, a value column both ends of the range), or
raises ``ValueError`` with the reason, which the report shows with the row and the
column. Then the row as a whole is checked: cells beyond the headings, a value
range the wrong way round, and a reference or title that an earlier row already has.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from councils.downloads import FORMULA_TRIGGERS
from councils.models import Council, TypeOfCare, TypeOfCareAlias

from ..dates import parse_date_window
from ..models import ClientGroup, ClientGroupAlias, Tender
from .amounts import parse_money, parse_value
from .columns import BY_FIELD, Column, normalise_heading

VALUE_CACHE_SIZE = 5000
FOOTNOTE_MARKERS = "*†‡"
MARKER = "_marker"

# Text columns and their limits (value fills value_min and value_max).
TEXT_LIMITS = {
    name: Tender._meta.get_field(name).max_length
    for name in (
        "reference",
        "title",
        "service_area",
        "procurement_activity",
        "commencement",
        "contact_name",
        "contact_email",
        "notice_url",
        "ocid",
        "value_text",
    )
}
# Columns naming terms of a shared list, and where the council's aliases are.
RELATIONS = {
    "types_of_care": (TypeOfCare, TypeOfCareAlias, "type_of_care_id"),
    "client_groups": (ClientGroup, ClientGroupAlias, "client_group_id"),
}
# The column of each list's id in the tender's many-to-many table.
THROUGH_KEYS = {
    name: getattr(Tender, name).through._meta.get_field(model._meta.model_name).attname
    for name, (model, _alias, _key) in RELATIONS.items()
}
SEPARATORS = re.compile(r"\s*(?:;|\n|\r)\s*")
DATE_FIELDS = {
    "procurement_activity": ("procurement_start", "procurement_end"),
    "commencement": ("commencement_start", "commencement_end"),
}
STATUS_BY_NAME = {
    normalise_heading(text): value
    for value, label in Tender.Status.choices
    for text in (value, label)
} | {normalise_heading("Open"): Tender.Status.OPEN}


def normalise_title(title: str) -> str:
    """A title reduced for matching: case, punctuation, spacing and markers ignored."""
    title = title.casefold().replace("&", " and ").rstrip(FOOTNOTE_MARKERS + " ")
    return " ".join(re.sub(r"[\W_]+", " ", title).split())


@dataclass
class Row:
    number: int
    values: dict
    key: tuple[str, str]
    notes_marker: str = ""


class RowChecker:
    """Cleans rows of one table for one council, adding problems to the report."""

    def __init__(self, report, council: Council, columns, width: int):
        self.report = report
        self.council = council
        self.columns: list[tuple[int, Column | None]] = columns
        self.width = width
        self.keys: dict[tuple[str, str], int] = {}
        self.date_cache: dict[str, tuple] = {}
        self.value_cache: dict[tuple[str, str], object] = {}
        self.url_validator = URLValidator(schemes=["http", "https"])
        self.email_validator = EmailValidator()
        self.council_names = {
            normalise_heading(text)
            for text in (council.name, council.slug, council.gss_code)
        }
        self.parsers: dict[str, Callable[[str], dict]] = {
            "title": self.parse_title,
            "procurement_activity": self.parse_date_text,
            "commencement": self.parse_date_text,
            "contract_end": self.parse_contract_end,
            "value": self.parse_value,
            "value_min": self.parse_amount,
            "value_max": self.parse_amount,
            "status": self.parse_status,
            "contact_email": self.parse_email,
            "notice_url": self.parse_url,
            "council": self.parse_council,
            "types_of_care": self.parse_terms,
            "client_groups": self.parse_terms,
        }
        self.terms: dict[str, dict[str, int]] = {}
        self.term_names: dict[str, dict[int, str]] = {}
        for _index, column in columns:
            if column and column.field in RELATIONS:
                self.terms[column.field], self.term_names[column.field] = (
                    self._vocabulary(column.field)
                )

    def clean(self, number: int, cells: list[str]) -> Row | None:
        """The row's values, or None (and problems reported) when it has any."""
        values: dict = {}
        errors_before = self.report.error_count
        width = len(cells)
        for index, column in self.columns:
            raw = cells[index] if index < width else ""
            if column is None:
                if raw:
                    self.report.add_error(
                        number, f"column {index + 1}", raw, "This cell has no heading."
                    )
                continue
            parser = self.parsers.get(column.field, self.parse_text)
            try:
                values |= parser(raw, column.field)
            except ValueError as error:
                self.report.add_error(number, column.heading, raw, str(error))
        marker = values.pop(MARKER, "")
        for index in range(self.width, width):
            if cells[index]:
                self.report.add_error(
                    number,
                    f"column {index + 1}",
                    cells[index],
                    "This cell is beyond the last heading.",
                )
        low, high = values.get("value_min"), values.get("value_max")
        if low is not None and high is not None and low > high:
            self.report.add_error(
                number,
                BY_FIELD["value_min"].heading,
                f"{low} > {high}",
                "The value from is more than the value to.",
            )
        # Keys are checked even on rows with other problems, so a repeat is named.
        key = None
        if values.get("reference"):
            key = ("reference", values["reference"])
        elif values.get("title"):
            key = ("title", normalise_title(values["title"]))
        if key in self.keys:
            what = "reference" if key[0] == "reference" else "title"
            self.report.add_error(
                number,
                BY_FIELD[key[0]].heading,
                values[key[0]],
                f"Row {self.keys[key]} has the same {what}: each tender may appear "
                "once.",
            )
        elif key is not None:
            self.keys[key] = number
        if self.report.error_count > errors_before:
            return None
        return Row(number, values, key, marker)

    # The parsers, one per kind of column ----------------------------------------

    def parse_text(self, raw: str, name: str) -> dict:
        if name in TEXT_LIMITS:
            return {name: self._text(name, raw)}
        return {name: raw}

    def parse_title(self, raw: str, name: str) -> dict:
        if not raw:
            raise ValueError("Every row needs a title.")
        stripped = raw.rstrip(FOOTNOTE_MARKERS + " ")
        if not stripped:
            raise ValueError("The title is only a footnote marker.")
        return {name: self._text(name, stripped), MARKER: raw[len(stripped) :].strip()}

    def parse_date_text(self, raw: str, name: str) -> dict:
        self._text(name, raw)
        text, start, end = self._window(raw)
        first, last = DATE_FIELDS[name]
        return {name: text, first: start, last: end}

    def parse_contract_end(self, raw: str, name: str) -> dict:
        end = self._window(raw)[2] if raw else None
        return {name: end}

    def parse_value(self, raw: str, name: str) -> dict:
        low, high, text = self._cached(name, raw, parse_value)
        if len(text) > TEXT_LIMITS["value_text"]:
            text = self._text("value_text", text)
        return {"value_min": low, "value_max": high, "value_text": text}

    def parse_terms(self, raw: str, name: str) -> dict:
        terms, found, unknown = self.terms[name], set(), []
        for word in SEPARATORS.split(raw.strip()):
            if not word:
                continue
            pk = terms.get(normalise_heading(word))
            if pk is None:
                unknown.append(word)
            else:
                found.add(pk)
        if unknown:
            label = Tender._meta.get_field(name).verbose_name
            hints = []
            for word in unknown:
                close = difflib.get_close_matches(
                    normalise_heading(word), terms.keys(), n=1, cutoff=0.6
                )
                nearest = self.term_names[name][terms[close[0]]] if close else None
                hints.append(
                    f"“{word}”" + (f" (nearest: “{nearest}”)" if nearest else "")
                )
            raise ValueError(
                f"Not one of the portal's {label}: {', '.join(hints)}. Use the "
                f"portal's name, or add the council's word as an alias in the admin."
            )
        return {name: frozenset(found)}

    def parse_amount(self, raw: str, name: str) -> dict:
        return {name: self._cached(name, raw, parse_money)}

    def parse_status(self, raw: str, name: str) -> dict:
        if not raw:
            return {name: Tender.Status.PLANNED}
        try:
            return {name: STATUS_BY_NAME[normalise_heading(raw)]}
        except KeyError:
            raise ValueError(
                "Use one of: "
                + ", ".join(str(label) for label in Tender.Status.labels)
                + "."
            ) from None

    def parse_email(self, raw: str, name: str) -> dict:
        if raw and (name, raw) not in self.value_cache:
            try:
                self.email_validator(raw)
            except ValidationError:
                raise ValueError("This is not an email address.") from None
            self._remember(name, raw, raw)
        return self.parse_text(raw, name)

    def parse_url(self, raw: str, name: str) -> dict:
        if raw and (name, raw) not in self.value_cache:
            try:
                self.url_validator(raw)
            except ValidationError:
                raise ValueError(
                    "Give the full web address, starting https://."
                ) from None
            self._remember(name, raw, raw)
        return self.parse_text(raw, name)

    def parse_council(self, raw: str, name: str) -> dict:
        if raw and normalise_heading(raw) not in self.council_names:
            raise ValueError(
                f"This row is for another council; this import is for "
                f"{self.council.name} only."
            )
        return {}

    # Helpers --------------------------------------------------------------------

    def _vocabulary(self, name: str) -> tuple[dict[str, int], dict[int, str]]:
        """Normalised names, slugs and this council's aliases to the term's id; and
        each id's name, for messages and the preview."""
        model, alias_model, key = RELATIONS[name]
        terms: dict[str, int] = {}
        names: dict[int, str] = {}
        for pk, label, slug in model.objects.values_list("pk", "name", "slug"):
            names[pk] = label
            terms.setdefault(normalise_heading(label), pk)
            terms.setdefault(normalise_heading(slug), pk)
        for alias, pk in alias_model.objects.filter(council=self.council).values_list(
            "name", key
        ):
            terms.setdefault(normalise_heading(alias), pk)
        return terms, names

    def _cached(self, name: str, raw: str, parse):
        # Tables repeat values, addresses and dates: each is checked once.
        cached = self.value_cache.get((name, raw))
        if cached is None:
            cached = parse(raw)
            self._remember(name, raw, cached)
        return cached

    def _remember(self, name: str, raw: str, cleaned) -> None:
        # Bounded, so that a file of all-different values keeps memory flat.
        if len(self.value_cache) >= VALUE_CACHE_SIZE:
            self.value_cache.clear()
        self.value_cache[(name, raw)] = cleaned

    def _text(self, name: str, raw: str) -> str:
        # Our own exports escape formula-like text with an apostrophe; take it off.
        if raw.startswith("'") and raw[1:].startswith(FORMULA_TRIGGERS):
            raw = raw[1:]
        limit = TEXT_LIMITS[name]
        if len(raw) > limit:
            raise ValueError(f"This is {len(raw)} characters; the limit is {limit}.")
        return raw

    def _window(self, raw: str) -> tuple:
        cached = self.date_cache.get(raw)
        if cached is None:
            window = parse_date_window(raw)  # raises ValueError with a message
            cached = (raw, window.start, window.end) if window else (raw, None, None)
            self.date_cache[raw] = cached
        return cached
