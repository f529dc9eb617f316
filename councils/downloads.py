"""Shared by every app's open-data downloads: CSV cells shown, never run.

One rule for every CSV the portal writes (the public downloads and the admin's
export): text that a spreadsheet would run as a formula is made inert, and numbers
stay numbers, negative ones included.
"""

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse, StreamingHttpResponse
from django.views import View

from . import clock

# Rows fetched from the database at a time, and bytes sent at a time, by downloads
# that stream: memory stays flat however many rows there are.
CHUNK_ROWS = 2000
CHUNK_BYTES = 64 * 1024

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


def csv_lines(
    header: Sequence[str],
    rows: Iterable[Sequence],
    list_separator: str = "; ",
    byte_order_mark: bool = True,
) -> Iterator[str]:
    """``write_csv``'s lines one at a time, for streaming; a byte order mark first
    unless told not to."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    yield ("\ufeff" if byte_order_mark else "") + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value, list_separator) for value in row])


def buffered(pieces: Iterable[str], size: int = CHUNK_BYTES) -> Iterator[str]:
    """Small pieces of text joined into chunks of about ``size`` characters, so a
    streamed download is sent in a few large writes rather than one per row."""
    parts, length = [], 0
    for piece in pieces:
        parts.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(parts)
            parts, length = [], 0
    if parts:
        yield "".join(parts)


def csv_download(
    records: Iterable[dict], *, columns: list[str], filename: str
) -> StreamingHttpResponse:
    """Records as a CSV attachment, written row by row as they are read.

    Starts with a byte order mark so Excel reads it as UTF-8; every cell goes
    through csv_cell.
    """

    class Echo:
        def write(self, value):
            return value

    writer = csv.DictWriter(Echo(), fieldnames=columns, extrasaction="ignore")

    def rows():
        yield "\ufeff" + writer.writerow(dict(zip(columns, columns, strict=True)))
        for record in records:
            yield writer.writerow(
                {key: csv_cell(value) for key, value in record.items()}
            )

    return StreamingHttpResponse(
        buffered(rows()),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def json_document(head: dict, key: str, items: Iterable) -> Iterator[str]:
    """A JSON object: the members of ``head``, then ``key`` holding ``items``,
    written one item (one line) at a time as they are read."""
    opening = json.dumps(head, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    yield (opening[:-2] + ",\n" if head else "{\n") + f"  {_json(key)}: ["
    separator = "\n    "
    for item in items:
        yield separator + _json(item)
        separator = ",\n    "
    yield "\n  ]\n}\n" if separator != "\n    " else "]\n}\n"


def json_download(
    records: Iterable[dict],
    *,
    source: str,
    filename: str,
    count: int,
    extra_meta: dict | None = None,
) -> StreamingHttpResponse:
    """Records as a JSON document with the address they came from and a count,
    streamed as they are read."""
    meta = {"source": source, "generated": clock.now(), "count": count}
    return StreamingHttpResponse(
        buffered(
            json_document({"meta": meta | (extra_meta or {})}, "results", records),
        ),
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
        rows = filterset.qs
        records = (self.record(row) for row in rows.iterator(chunk_size=CHUNK_ROWS))
        if self.format == "json":
            return json_download(
                records,
                source=request.build_absolute_uri(),
                filename=f"{self.filename}.json",
                count=rows.count(),
            )
        return csv_download(
            records, columns=self.columns, filename=f"{self.filename}.csv"
        )
