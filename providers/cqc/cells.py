"""Parsers for the values in CQC's cells, each raising ValueError with the reason."""

import re
from datetime import date, datetime
from functools import lru_cache

from ..models import Rating

LOCATION_ID = re.compile(r"^\d-\d{6,12}$")
# The ratings files' CSV form, read without strptime's failed tries of the forms
# before it in DATE_FORMATS (none of which can match digits and slashes only).
DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# "09/Jan/2024 - 00:00" is the care directory's form; the ratings files' CSV copies
# use "01/05/2024" and spreadsheets hold real dates.
DATE_FORMATS = [
    "%d/%b/%Y - %H:%M",
    "%d/%b/%Y",
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
RATING_WORDS = {
    "outstanding": Rating.OUTSTANDING,
    "good": Rating.GOOD,
    "requires improvement": Rating.REQUIRES_IMPROVEMENT,
    "inadequate": Rating.INADEQUATE,
    "insufficient evidence to rate": Rating.INSUFFICIENT_EVIDENCE,
    "not rated": Rating.NOT_RATED,
}


def text(value) -> str:
    """A cell as stripped text; spreadsheet numbers that are whole lose their '.0'."""
    if value.__class__ is str:  # nearly every cell: the fast path first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return _date_from_text(text(value))


@lru_cache(maxsize=8192)
def _date_from_text(value: str) -> date | None:
    # National files repeat a few thousand dates over hundreds of thousands of rows.
    if not value:
        return None
    numbers = DAY_MONTH_YEAR.fullmatch(value)
    if numbers:
        day, month, year = map(int, numbers.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"'{value}' is not a date") from None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date")


def parse_location_id(value) -> str:
    value = text(value)
    if not value:
        raise ValueError("is empty: every row needs CQC's location ID")
    if not LOCATION_ID.match(value):
        raise ValueError(f"'{value}' is not a CQC location ID like 1-1000210669")
    return value


def parse_rating(value) -> str:
    """CQC's rating word as a Rating value; blank (or CQC's "Not applicable", for a
    key question it does not rate) stays blank."""
    value = text(value)
    if not value or value == "-" or value.lower() == "not applicable":
        return ""
    try:
        return RATING_WORDS[value.lower()]
    except KeyError:
        known = ", ".join(w.capitalize() for w in RATING_WORDS)
        raise ValueError(f"'{value}' is not one of CQC's ratings ({known})") from None


def parse_yes_no(value) -> bool:
    value = text(value).upper()
    if value in {"Y", "YES"}:
        return True
    if value in {"", "N", "NO", "-"}:
        return False
    raise ValueError(f"'{value}' is not Y or N")


def parse_count(value) -> int | None:
    value = text(value)
    if not value or value == "-":
        return None
    if not value.isdigit():
        raise ValueError(f"'{value}' is not a whole number")
    return int(value)


def split_cell(value) -> list[str]:
    """The care directory's multi-valued cells, separated by '|'."""
    return [part.strip() for part in text(value).split("|") if part.strip()]
