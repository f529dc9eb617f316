"""Shared by every app's open-data downloads: CSV cells shown, never run."""

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
