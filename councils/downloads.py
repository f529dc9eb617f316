"""Shared by every app's open-data downloads: CSV cells shown, never run.

One rule for every CSV the portal writes (the public downloads and the admin's
export): text that a spreadsheet would run as a formula is made inert, and numbers
stay numbers, negative ones included.
"""

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that could run as a formula gets a leading apostrophe; the rest is as given.

    OWASP's advice against CSV injection. Numbers are left alone, so a negative
    value stays a number.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_cell(value, list_separator: str = "; "):
    """A value as a CSV cell: numbers as numbers, text made safe, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, list | tuple):
        value = list_separator.join(str(item) for item in value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return spreadsheet_safe(str(value))


def write_csv(
    file,
    header: Sequence[str],
    rows: Iterable[Sequence],
    list_separator: str = "; ",
) -> None:
    """Write ``header`` and ``rows`` to ``file``, every cell through ``csv_cell``."""
    writer = csv.writer(file)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value, list_separator) for value in row])
