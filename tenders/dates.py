"""Dates as councils publish them in tender tables, turned into date windows.

A council writes "Spring 2024", "April 2025", "Q1 2025/26" or "TBC". The portal keeps
the text as published and stores the window it stands for, so providers can filter
on real dates. Anything unrecognised raises ``ValueError`` with a message that says
which forms are accepted.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DateWindow:
    start: date
    end: date


ACCEPTED_FORMS = (
    "April 2025, Apr 2025, Apr-25, 04/2025, 01/04/2025, 1 April 2025, 2025-04-01, "
    "Spring 2024, Winter 2026/27, Q3 2024, 2024/25, Q1 2025/26 or TBC"
)
# The longest window any accepted form stands for is a year (a calendar year, or a
# financial year with a 29 February): its end is at most this long after its start.
# The finder's "soonest" order relies on it (``tenders.models.soonest_conditions``): a
# window that has not ended began no earlier than this before today.
LONGEST_WINDOW = timedelta(days=365)
UNKNOWN = {"", "tbc", "tba", "tbd", "to be confirmed", "to be agreed", "unknown", "n/a"}
MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}

_YEAR = r"(\d{4})"
_FY = r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first: int, last: int) -> DateWindow:
    end_year = year + (1 if last < first else 0)
    return DateWindow(date(year, first, 1), _month_end(end_year, last))


def _financial_year_start(text_start: str, text_end: str) -> int:
    start = int(text_start)
    end = int(text_end) if len(text_end) == 4 else (start // 100) * 100 + int(text_end)
    if end != start + 1:
        raise ValueError(f"{text_start}/{text_end} is not a financial year")
    return start


def describe_window(window: DateWindow | None) -> str:
    """How a published date was read, in words: "1 March 2026 to 31 May 2026"."""
    if window is None:
        return "not known yet"
    start = f"{window.start.day} {window.start:%B %Y}"
    if window.start == window.end:
        return start
    return f"{start} to {window.end.day} {window.end:%B %Y}"


def parse_date_window(text: str | None) -> DateWindow | None:
    """The window a published date stands for; None when the council says it is unknown.

    Raises ValueError for text that is not a recognised date form.
    """
    cleaned = re.sub(r"\s+", " ", (text or "").strip()).strip(".")
    lowered = cleaned.lower()
    if lowered in UNKNOWN:
        return None
    try:
        window = _parse(lowered)
    except ValueError:
        window = None
    if window is None:
        raise ValueError(
            f"“{cleaned}” is not a date we recognise. Use a form such as "
            f"{ACCEPTED_FORMS}."
        )
    return window


def _parse(text: str) -> DateWindow | None:
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        return DateWindow(day, day)
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        day = date(int(m[3]), int(m[2]), int(m[1]))
        return DateWindow(day, day)
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? ([a-z]+),? " + _YEAR, text)
    if m and m[2] in MONTHS:
        day = date(int(m[3]), MONTHS[m[2]], int(m[1]))
        return DateWindow(day, day)
    if m := re.fullmatch(r"([a-z]+),? " + _YEAR, text):
        if m[1] in MONTHS:
            return _months(int(m[2]), MONTHS[m[1]], MONTHS[m[1]])
        if m[1] in SEASONS:
            return _months(int(m[2]), *SEASONS[m[1]])
        if m[1] == "winter":
            return _months(int(m[2]), 12, 2)
    # Excel's "mmm-yy" and "mmm-yyyy" as text: "Apr-26", "Apr-2026".
    if (m := re.fullmatch(r"([a-z]+)[ -](\d{2}|\d{4})", text)) and m[1] in MONTHS:
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        return _months(year, MONTHS[m[1]], MONTHS[m[1]])
    # A winter across two years: "Winter 2026/27" is December 2026 to February 2027.
    if m := re.fullmatch(r"winter " + _FY, text):
        return _months(_financial_year_start(m[1], m[2]), 12, 2)
    if m := re.fullmatch(r"(\d{1,2})[/-]" + _YEAR, text):
        month = int(m[1])
        if 1 <= month <= 12:
            return _months(int(m[2]), month, month)
    if m := re.fullmatch(_YEAR + r"-(\d{2})", text):
        month = int(m[2])
        if 1 <= month <= 12:
            return _months(int(m[1]), month, month)
    if m := re.fullmatch(r"q([1-4]) (?:fy ?)?" + _FY, text):
        start_year = _financial_year_start(m[2], m[3])
        first = 4 + (int(m[1]) - 1) * 3
        year = start_year + (1 if first > 12 else 0)
        first = (first - 1) % 12 + 1
        return _months(year, first, first + 2)
    if m := re.fullmatch(r"q([1-4]),? " + _YEAR, text):
        first = (int(m[1]) - 1) * 3 + 1
        return _months(int(m[2]), first, first + 2)
    if m := re.fullmatch(r"(?:fy ?)?" + _FY, text):
        start_year = _financial_year_start(m[1], m[2])
        return DateWindow(date(start_year, 4, 1), date(start_year + 1, 3, 31))
    if m := re.fullmatch(_YEAR, text):
        return _months(int(m[1]), 1, 12)
    return None
