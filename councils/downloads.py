"""Shared by every app's open-data downloads: CSV cells shown, never run."""

import csv
import json
from collections.abc import Iterable
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views import View

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


def csv_download(
    records: Iterable[dict], *, columns: list[str], filename: str
) -> StreamingHttpResponse:
    """Records as a CSV attachment, written row by row as they are read.

    Starts with a byte order mark so Excel reads it as UTF-8; every cell goes
    through spreadsheet_safe.
    """

    class Echo:
        def write(self, value):
            return value

    writer = csv.DictWriter(Echo(), fieldnames=columns, extrasaction="ignore")

    def rows():
        yield "\ufeff" + writer.writerow(dict(zip(columns, columns, strict=True)))
        for record in records:
            yield writer.writerow(
                {key: spreadsheet_safe(_cell(value)) for key, value in record.items()}
            )

    return StreamingHttpResponse(
        rows(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _cell(value):
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return "" if value is None else value


def json_download(
    records: Iterable[dict], *, source: str, filename: str
) -> HttpResponse:
    """Records as a JSON document with the address they came from and a count."""
    results = list(records)
    data = {
        "meta": {
            "source": source,
            "generated": timezone.now(),
            "count": len(results),
        },
        "results": results,
    }
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def filter_errors(filterset) -> dict:
    return {"errors": filterset.form.errors.get_json_data()}


class FilteredDownloadView(View):
    """A CSV or JSON download of a filterset's rows, filtered as on the page.

    Subclasses set ``filterset_class``, ``columns``, ``filename`` (without its
    extension), ``queryset()`` and ``record(row)``; ``format`` is "csv" or "json".
    Invalid filters answer 400 with what is wrong.
    """

    filterset_class = None
    columns: list[str] = []
    filename = "data"
    format = "csv"

    def queryset(self):
        raise NotImplementedError

    def record(self, row) -> dict:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        filterset = self.filterset_class(data=request.GET, queryset=self.queryset())
        if not filterset.is_valid():
            return JsonResponse(filter_errors(filterset), status=400)
        records = (self.record(row) for row in filterset.qs.iterator(chunk_size=2000))
        if self.format == "json":
            return json_download(
                records,
                source=request.build_absolute_uri(),
                filename=f"{self.filename}.json",
            )
        return csv_download(
            records, columns=self.columns, filename=f"{self.filename}.csv"
        )
