"""Today's date, asked for in one place.

Every model, queryset and view that needs "today" calls ``today()``; nothing else
reads the calendar. The tests' ``--years-ahead`` option moves the whole clock
(tests/conftest.py) to prove nothing depends on the year the suite runs in.
"""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """Today in the portal's time zone (Europe/London)."""
    return timezone.localdate()
