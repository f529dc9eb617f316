"""The import's queries do not grow with the rows it loads."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import IndicatorValueFactory

from .conftest import confirm, figure, table, upload

pytestmark = pytest.mark.django_db


def rows(count):
    return [figure(period=str(1900 + n), value=str(500 + n)) for n in range(count)]


def queries(callable_):
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


def preview_and_confirm(client, data):
    counts = {}
    response = None

    def do_preview():
        nonlocal response
        response = upload(client, "figures.csv", data)

    counts["preview"] = queries(do_preview)
    assert not response.context["report"].has_errors
    counts["confirm"] = queries(lambda: confirm(client, response))
    return counts


@pytest.mark.parametrize("existing", [False, True], ids=["new", "updated"])
def test_preview_and_confirm_take_the_same_queries_for_1_and_many_rows(
    durham_client, durham, admissions, existing
):
    if existing:
        for period in ["1900", *(str(1900 + n) for n in range(100, 140))]:
            IndicatorValueFactory(
                indicator=admissions, council=durham, period=period, value="1"
            )
    one = preview_and_confirm(durham_client, table(rows(1)))
    shifted = [figure(period=str(2000 + n), value="9") for n in range(40)]

    many = preview_and_confirm(durham_client, table([*rows(1), *shifted]))

    assert one == many
