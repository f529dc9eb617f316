"""Shared by every app's open-data downloads: CSV cells shown, never run.

One rule for every CSV the portal writes (the public downloads and the admin's
export): text that a spreadsheet would run as a formula is made inert, and numbers
stay numbers, negative ones included.
"""

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, transaction
from django.db.models import CharField, OuterRef, StringAgg, Subquery, Value
from django.db.models.functions import Cast
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.views import View

from . import clock

# Rows fetched from the database at a time, and bytes sent at a time, by downloads
# that stream: memory stays flat however many rows there are.
CHUNK_ROWS = 2000
CHUNK_BYTES = 64 * 1024


def stream_rows(queryset) -> Iterator:
    """``queryset.iterator()``, ``CHUNK_ROWS`` at a time; on PostgreSQL in a
    transaction with JIT compilation turned off for it.

    Subqueries for each of 150,000 rows put the planner's estimate of a query
    that reads each row once past ``jit_inline_above_cost``, and compiling it
    with inlining and optimisation took longer than running it (5 s of 9 s).
    In a transaction the server-side cursor also needs no ``WITH HOLD`` copy of
    the whole result before the first row.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=CHUNK_ROWS)
        return
    with transaction.atomic(using=queryset.db, savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield from queryset.iterator(chunk_size=CHUNK_ROWS)


class Vocabulary:
    """The terms of one of a model's many-to-many lists, loaded once, and each
    row's list of them from the keys the rows' query gathers (``keys``), in place
    of a model instance per row with the list prefetched."""

    # Lists already made, by their keys: there are few different ones.
    REMEMBERED = 4096

    def __init__(self, model, field: str, make: Callable):
        relation = model._meta.get_field(field)
        terms = relation.related_model.objects.all()  # in the model's own order
        self.terms = {term.pk: (rank, make(term)) for rank, term in enumerate(terms)}
        self.lists: dict[str | None, list] = {None: []}

    @staticmethod
    def keys(model, field: str) -> Subquery:
        """A row's keys of ``field``'s terms, as one text ("3,7"), in the query."""
        relation = model._meta.get_field(field)
        source = relation.m2m_field_name()
        target = f"{relation.m2m_reverse_field_name()}_id"
        return Subquery(
            relation.remote_field.through.objects.filter(**{source: OuterRef("pk")})
            .order_by()
            .values(source)
            .annotate(keys=StringAgg(Cast(target, CharField()), Value(",")))
            .values("keys")
        )

    def __call__(self, keys: str | None) -> list:
        """The terms of ``keys``, in their model's order (as ``.all()`` gives them)."""
        found = self.lists.get(keys)
        if found is None:
            ranked = sorted(self.terms[int(key)] for key in keys.split(","))
            found = [term for _, term in ranked]
            if len(self.lists) > self.REMEMBERED:
                self.lists = {None: []}
            self.lists[keys] = found
        return found


class PkUrls:
    """Each row's absolute address from its primary key, as
    ``build_absolute_uri(get_absolute_url())`` gives it for a URL pattern whose
    one argument is ``<int:pk>`` (or another key that ``reverse()`` leaves as it
    is, such as a slug: ``argument``): reversed once, then joined to each key,
    rather than reversed for every row. ``absolute_url`` left out, the address
    as ``get_absolute_url()`` gives it."""

    def __init__(
        self,
        url_name: str,
        absolute_url: Callable[[str], str] = str,
        argument: str = "pk",
    ):
        sample = absolute_url(reverse(url_name, kwargs={argument: 0}))
        if not sample.endswith("/0/"):
            raise ValueError(f"{url_name} does not end in its {argument}")
        self.prefix = sample[:-2]

    def __call__(self, key) -> str:
        return f"{self.prefix}{key}/"


# A CSV cell with one of these is quoted (csv.writer's QUOTE_MINIMAL, excel dialect).
QUOTED = re.compile(r'[",\r\n]')
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
    # The commonest exact types first (a download has millions of cells); their
    # subclasses take the general path below.
    kind = type(value)
    if kind is str:  # the rule of spreadsheet_safe, inlined
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if kind is int or kind is float or kind is Decimal:
        return value
    if kind is date or kind is datetime:
        return value.isoformat()
    if kind is list and all(type(item) is str for item in value):
        return spreadsheet_safe(list_separator.join(value))
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


class CsvDocument:
    """CSV as a document for ``Download``: a header line (after a byte order mark
    unless told not to), then one line per row, every cell through ``csv_cell``."""

    def __init__(
        self,
        header: Sequence[str],
        list_separator: str = "; ",
        byte_order_mark: bool = True,
    ):
        class Echo:
            def write(self, value):
                return value

        self.header, self.list_separator = header, list_separator
        self.byte_order_mark = byte_order_mark
        self.writer = csv.writer(Echo())

    def opening(self) -> str:
        bom = "\ufeff" if self.byte_order_mark else ""
        return bom + self.writer.writerow(self.header)

    def item(self, row: Sequence) -> str:
        """The row's line, as ``csv.writer`` writes it (the excel dialect: quoted
        only when a cell has a comma, a quote or a line break), in half its time."""
        separator = self.list_separator
        cells = [
            # Text that csv_cell would leave as it is, without calling it.
            value
            if type(value) is str and not value.startswith(FORMULA_TRIGGERS)
            else csv_cell(value, separator)
            for value in row
        ]
        if len(cells) == 1:  # csv.writer quotes a lone empty cell
            return self.writer.writerow(cells)
        return (
            ",".join(
                [
                    (
                        '"' + cell.replace('"', '""') + '"'
                        if QUOTED.search(cell)
                        else cell
                    )
                    if type(cell) is str
                    else str(cell)
                    for cell in cells
                ]
            )
            + "\r\n"
        )

    def closing(self) -> str:
        return ""


def document_text(document, items: Iterable) -> Iterator[str]:
    """A document's text piece by piece: its opening, each item, its closing."""
    yield document.opening()
    for item in items:
        yield document.item(item)
    yield document.closing()


def csv_lines(
    header: Sequence[str],
    rows: Iterable[Sequence],
    list_separator: str = "; ",
    byte_order_mark: bool = True,
) -> Iterator[str]:
    """``write_csv``'s lines one at a time, for streaming; a byte order mark first
    unless told not to."""
    document = CsvDocument(header, list_separator, byte_order_mark)
    return document_text(document, rows)


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
    through csv_cell (``CsvDocument``, as the tender downloads' lines); a column a
    record lacks is empty.
    """
    rows = ([record.get(column, "") for column in columns] for record in records)
    return StreamingHttpResponse(
        buffered(document_text(CsvDocument(columns), rows)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# One encoder for every item: json.dumps(cls=...) would make one per call.
_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


def _json(value) -> str:
    return _ENCODER.encode(value)


class JsonDocument:
    """A JSON object as a document for ``Download``: the members of ``head``, then
    ``key`` holding the items, one item (one line) at a time."""

    def __init__(self, head: dict, key: str):
        self.head, self.key = head, key
        self.separator = "\n    "

    def opening(self) -> str:
        head = json.dumps(
            self.head, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
        )
        return (head[:-2] + ",\n" if self.head else "{\n") + f"  {_json(self.key)}: ["

    def item(self, value) -> str:
        text = self.separator + _json(value)
        self.separator = ",\n    "
        return text

    def closing(self) -> str:
        return "\n  ]\n}\n" if self.separator != "\n    " else "]\n}\n"


def json_document(head: dict, key: str, items: Iterable) -> Iterator[str]:
    """A JSON object: the members of ``head``, then ``key`` holding ``items``,
    written one item (one line) at a time as they are read."""
    return document_text(JsonDocument(head, key), items)


@dataclass
class Download:
    """A streamed download apart from its rows: its document (``CsvDocument`` or
    ``JsonDocument``), what each row becomes in it (``item``; ``None`` leaves the
    row out) and its response's headers.

    Kept apart so that several downloads of the same rows can be written in one
    pass over them (``write_together``), as the complete files are: a view's
    response and a file made together with others are the same code, byte for
    byte. A document keeps state while written: a ``Download`` is written once.
    """

    document: CsvDocument | JsonDocument
    item: Callable[[object], object]
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    def pieces(self, rows: Iterable) -> Iterator[str]:
        """The text, in chunks of about ``CHUNK_BYTES``."""
        return (chunk for _, chunk in write_together({"": self}, rows))

    def response(self, rows: Iterable) -> StreamingHttpResponse:
        return StreamingHttpResponse(
            self.pieces(rows), content_type=self.content_type, headers=self.headers
        )


def write_together(
    downloads: dict[str, Download], rows: Iterable, size: int = CHUNK_BYTES
) -> Iterator[tuple[str, str]]:
    """Every download's text from one pass over ``rows``, as (name, chunk) pairs,
    each chunk about ``size`` characters, so memory stays flat however many rows
    and downloads there are."""
    writers = [
        (name, download.document, download.item, [download.document.opening()])
        for name, download in downloads.items()
    ]
    lengths = dict.fromkeys(downloads, 0)
    for row in rows:
        for name, document, item, parts in writers:
            value = item(row)
            if value is None:
                continue
            text = document.item(value)
            parts.append(text)
            lengths[name] += len(text)
            if lengths[name] >= size:
                yield name, "".join(parts)
                parts.clear()
                lengths[name] = 0
    for name, document, _, parts in writers:
        parts.append(document.closing())
        yield name, "".join(parts)


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
