"""Today's date and this moment, asked for in one place.

Every model, queryset and view that needs "today" calls ``today()``, and every
comparison with "now" (publish times, schedules, review dates, imports) uses
``now()``: a Python-side timestamp passed to the database as a parameter, never
the database's own ``NOW()``, so that moving the clock (time-machine in the tests:
``MPS_TEST_CLOCK_OFFSET_YEARS`` or ``--years-ahead``, see tests/conftest.py) moves
everything. Model field defaults use ``timezone.now``, the same Python clock.
"""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """Today in the portal's time zone (Europe/London)."""
    return timezone.localdate()


def now() -> datetime.datetime:
    """This moment, time-zone aware."""
    return timezone.now()
