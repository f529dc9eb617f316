"""Periods as councils write them for their figures: "2021/22", "January 2024"."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.db import models


class ValueProblem(ValueError):
    """A value in a figure that cannot be read; the message says why."""


class PeriodKind(models.TextChoices):
    YEAR = "year", "Calendar year"
    FINANCIAL_YEAR = "financial_year", "Financial year"
    MONTH = "month", "Month"
    DAY = "day", "As at a date"


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date


MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS["sept"] = 9

YEAR = re.compile(r"^(\d{4})$")
FINANCIAL_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")
MONTH_NAME = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")
ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
NAMED_DAY = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})$")

PERIOD_FORMS = '"2024", "2021/22", "January 2024", "2024-01" or "31 March 2024"'


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int, text: str) -> Period:
    try:
        when = date(year, month, day)
    except ValueError as error:
        raise ValueProblem(f"“{text}” is not a real date") from error
    return Period(PeriodKind.DAY, when, when)


def read_period(text: str) -> Period:
    """The period a figure covers, from the words a council uses for it."""
    text = (text or "").strip()
    if not text:
        raise ValueProblem("Enter the period the figure is for")
    if match := YEAR.match(text):
        year = int(match[1])
        return Period(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))
    if match := FINANCIAL_YEAR.match(text):
        first, second = int(match[1]), match[2]
        following = (
            int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        )
        if following != first + 1:
            raise ValueProblem(
                f"“{text}” is not a financial year: the second year must follow the "
                "first, as in 2021/22"
            )
        return Period(
            PeriodKind.FINANCIAL_YEAR,
            date(first, 4, 1),
            date(following, 3, 31),
        )
    month = None
    if match := MONTH_NAME.match(text):
        month, year = MONTHS.get(match[1].lower()), int(match[2])
    elif match := ISO_MONTH.match(text):
        month, year = int(match[2]), int(match[1])
        month = month if 1 <= month <= 12 else None
    if month:
        return Period(
            PeriodKind.MONTH,
            date(year, month, 1),
            _month_end(year, month),
        )
    if match := ISO_DAY.match(text):
        return _day(int(match[1]), int(match[2]), int(match[3]), text)
    if match := UK_DAY.match(text):
        return _day(int(match[3]), int(match[2]), int(match[1]), text)
    if (match := NAMED_DAY.match(text)) and match[2].lower() in MONTHS:
        return _day(int(match[3]), MONTHS[match[2].lower()], int(match[1]), text)
    raise ValueProblem(
        f"“{text}” is not a period the portal can read: use {PERIOD_FORMS}"
    )
