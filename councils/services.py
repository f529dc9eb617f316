"""Loading indicator figures from a tidy table: checked as a whole, written as a whole.

``indicator_figures_import`` is the one code path for the admin's preview and
confirm and for the ``import_indicators`` command. A tidy table has one row per
figure (metric, area code, period, value, source, source link, as at; base year
and notes optional). It is read row by row (``councils.reading``); each row is
cleaned in plain Python against the catalogue, councils and regions read once;
existing figures are looked up a batch at a time; new figures and changes are
written with PostgreSQL COPY (``executemany`` elsewhere) inside one transaction.
If any row is wrong, nothing is written and every problem is reported with its
row number, column and reason.

Who may load what: a commissioner, figures for the councils
``Council.objects.editable_by`` gives them; region and England figures, portal
administrators only. The command line without ``--user`` runs as an administrator.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from . import clock
from .audit import ImportAudit, actor_name
from .bulk import DATABASE_ERRORS, RowUpdates, insert_rows, refresh_statistics
from .downloads import FORMULA_TRIGGERS
from .models import (
    ENGLAND_GSS_CODE,
    AuditEntry,
    Council,
    Indicator,
    IndicatorImport,
    IndicatorValue,
    Region,
)
from .periods import PERIOD_FORMS, Period, PeriodKind, ValueProblem, read_period
from .publishing import figures_changed_record, versions_record
from .reading import (
    DEFAULT_LIMITS,
    ImportLimits,
    RowError,
    TableRefused,
    normalise_heading,
    open_table,
)

BATCH_SIZE = 2000
VALUE_CACHE_SIZE = 5000
ANALYZE_AFTER_NEW_ROWS = 1000
PREVIEW_ROWS = 200
ERRORS_KEPT = 500
ERRORS_RECORDED = 20

# A national file (every council in England, several years) is about 100,000 rows.
FIGURE_LIMITS = ImportLimits(
    max_file_bytes=20 * 1_048_576,
    max_rows=150_000,
    max_xlsx_uncompressed_bytes=200 * 1_048_576,
    max_xlsx_compression_ratio=DEFAULT_LIMITS.max_xlsx_compression_ratio,
    max_xlsx_members=DEFAULT_LIMITS.max_xlsx_members,
)
PERMISSION = "councils.import_indicatorvalue"
VALUE_LIMIT = Decimal("1e14")  # value is max_digits=18, decimal_places=4
FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class FigureColumn:
    field: str
    heading: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    help: str = ""


FIGURE_COLUMNS = (
    FigureColumn(
        "metric",
        "metric",
        ("indicator", "indicator slug", "measure"),
        help="The indicator's slug (such as care-home-occupancy) or its exact name, "
        "as listed under Indicators.",
    ),
    FigureColumn(
        "area_code",
        "area_code",
        ("GSS code", "ONS code", "geography code"),
        help=f"The ONS GSS code of a council (E06000047), a region (E12000001) or "
        f"England ({ENGLAND_GSS_CODE}).",
    ),
    FigureColumn(
        "period",
        "period",
        ("time period",),
        help=f"As published: {PERIOD_FORMS}. For a projection, the year projected to.",
    ),
    FigureColumn(
        "value",
        "value",
        ("figure",),
        help="A number only, such as 626.4, 52,700 or -1.5: no £, % or words.",
    ),
    FigureColumn("source", "source", ("source name",), help="Who published it."),
    FigureColumn(
        "source_link",
        "source_link",
        ("source url", "link"),
        help="The web address of the source, starting https://; may be blank.",
    ),
    FigureColumn(
        "as_at",
        "as_at",
        ("as at date", "published", "date published"),
        help="The date the source published the figure, or its as-at date: "
        "2024-02-01, 01/02/2024 or 1 February 2024.",
    ),
    FigureColumn(
        "base_year",
        "base_year",
        ("projection base year",),
        required=False,
        help="Projections only: the year they were made from (2018). Blank for "
        "actual figures. Left out, stored base years are kept.",
    ),
    FigureColumn(
        "notes",
        "notes",
        ("note", "comments"),
        required=False,
        help="Left out, stored notes are kept.",
    ),
)
HEADINGS = {
    normalise_heading(name): column
    for column in FIGURE_COLUMNS
    for name in (column.heading, column.field, *column.aliases)
}
TEXT_LIMITS = {
    "source": IndicatorValue._meta.get_field("source_name").max_length,
    "source_link": IndicatorValue._meta.get_field("source_url").max_length,
    "period": IndicatorValue._meta.get_field("period").max_length,
}
# The stored fields a row sets, compared with what is stored to tell updated from
# unchanged; those that come from an optional column, and which.
STORED = [
    "period",
    "base_year",
    "value",
    "source_name",
    "source_url",
    "as_at",
    "notes",
]
OPTIONAL = {"base_year": "base_year", "notes": "notes"}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    council_id: int | None
    region_id: int | None
    index: int


@dataclass(frozen=True)
class RowPreview:
    row: int
    outcome: str
    metric: str
    area: str
    period: str
    value: Decimal
    changes: tuple[str, ...]

    @property
    def shown_value(self) -> str:
        return _shown(self.value)


@dataclass
class FiguresImportReport:
    """What an import found and did, for the preview, the command and the record."""

    file_name: str
    dry_run: bool
    file_format: str = ""
    encoding: str = ""
    headings: list[tuple[str, str]] = field(default_factory=list)
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[RowPreview] = field(default_factory=list)
    written: bool = False
    record: IndicatorImport | None = None

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def add_error(self, row, column, value, message) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(row, column, str(value)[:200], message))

    def summary(self) -> str:
        if self.has_errors:
            problems = "problem" if self.error_count == 1 else "problems"
            return f"{self.error_count} {problems} found: nothing was imported."
        if not self.rows:
            return "The table has headings but no rows."
        verb = "would be" if self.dry_run else "were"
        rows = "row" if self.rows == 1 else "rows"
        return (
            f"{self.rows:,} {rows}: {self.new:,} new, {self.updated:,} updated and "
            f"{self.unchanged:,} unchanged figures {verb} imported."
        )


def indicator_figures_import(
    *,
    file: BinaryIO,
    file_name: str,
    user=None,
    dry_run: bool,
    limits: ImportLimits = FIGURE_LIMITS,
    progress: Callable[[int], None] | None = None,
    run_by: str = "",
) -> FiguresImportReport:
    """Load a tidy table of indicator figures, all or nothing.

    ``user`` is the person importing: a commissioner may load figures for their
    own councils only, a portal administrator for any council, region or England.
    ``user=None`` is the command line run as an administrator. A dry run reports
    what would happen and writes nothing. Every call is recorded as an
    ``IndicatorImport`` (previewed, imported or refused). A real run is in the
    audit trail: each figure added or changed, under its council (region and
    England figures under none: administrators only), written in the import's
    transaction, and the import itself for each council it names. ``run_by``
    names who ran a command without a ``user`` (``audit.command_line_user()``).
    """
    if user is not None and not user.has_perm(PERMISSION):
        raise PermissionDenied("You may not import indicator figures.")
    report = FiguresImportReport(file_name=file_name, dry_run=dry_run)
    audit = None
    if not dry_run:
        audit = ImportAudit(
            model=IndicatorValue,
            source=f"Indicator figures import: {file_name}",
            user=user,
            run_by=run_by,
        )
    run = _FiguresImport(report, user, audit, progress)
    try:
        with transaction.atomic():
            run.run(file, limits)
            if not report.has_errors and not dry_run:
                _figures_written_record(run, user, file_name)
            if report.has_errors:
                transaction.set_rollback(True)
            else:
                report.written = not dry_run
                if report.written and report.new >= ANALYZE_AFTER_NEW_ROWS:
                    refresh_statistics(IndicatorValue)
    except TableRefused as error:
        report.add_error(None, "", "", str(error))
    except DATABASE_ERRORS as error:
        report.written = False
        report.add_error(
            None,
            "",
            "",
            "The database refused the import, so nothing was written: "
            f"{(str(error).splitlines() or [type(error).__name__])[0]}",
        )
    report.record = _record(report, user, run.councils_named)
    if not dry_run:
        _audit_import(report, user, run_by)
    return report


def _figures_written_record(run, user, file_name: str) -> None:
    """History and What changed for the figures an import added or changed: it
    stamps every one it writes with the same ``updated_at``."""
    figures = IndicatorValue.objects.filter(updated_at=run.now)
    versions_record(
        figures.select_related("indicator"),
        user=user,
        comment=f"Imported from {file_name}.",
    )
    escaped = file_name.replace("{", "{{").replace("}", "}}")
    figures_changed_record(
        figures=figures,
        user=user,
        note=f"{{count}} figure{{s}} added or updated from {escaped}.",
    )


def _audit_import(report: FiguresImportReport, user, run_by: str) -> None:
    """The import as a whole in the audit trail of each council it names (or of
    none, for region and England figures only), in one query."""
    record = report.record
    councils = list(record.councils.all()) or [None]
    action = (
        AuditEntry.Action.IMPORT_REFUSED
        if report.has_errors
        else AuditEntry.Action.IMPORTED
    )
    content_type = ContentType.objects.get_for_model(IndicatorImport)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            user=user if user is not None and user.pk else None,
            username=actor_name(user, run_by),
            council=council,
            action=action,
            content_type=content_type,
            object_id=str(record.pk),
            object_repr=f"Indicator figures {report.file_name}"[:200],
            changes={
                "new": report.new,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "errors": report.error_count,
            },
            message=record.error_summary,
        )
        for council in councils
    )


def _record(report: FiguresImportReport, user, councils: set[int]) -> IndicatorImport:
    if report.has_errors:
        outcome = IndicatorImport.Outcome.REFUSED
    elif report.written:
        outcome = IndicatorImport.Outcome.IMPORTED
    else:
        outcome = IndicatorImport.Outcome.PREVIEWED
    record = IndicatorImport.objects.create(
        user=user,
        file_name=report.file_name[:255],
        file_format=report.file_format or "?",
        encoding=report.encoding,
        outcome=outcome,
        rows=report.rows,
        new=report.new,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=report.error_count,
        error_summary="\n".join(str(e) for e in report.errors[:ERRORS_RECORDED]),
    )
    if not councils and user is not None and not user.is_superuser:
        # A commissioner's file that named none of their councils is still theirs.
        councils = set(Council.objects.editable_by(user).values_list("pk", flat=True))
    if councils:
        record.councils.set(councils)
    return record


@dataclass
class _Row:
    number: int
    indicator: tuple[int, str]
    area: Area
    period_text: str
    period: Period
    values: dict


class _FiguresImport:
    """One pass over a table: clean rows, classify them by batch, write if clean."""

    def __init__(self, report, user, audit: ImportAudit | None, progress):
        self.report = report
        self.audit = audit
        self.dry_run = audit is None
        self.progress = progress
        self.councils_named: set[int] = set()
        self.user = user
        self.url_validator = URLValidator(schemes=["http", "https"])
        self.period_index: dict[tuple[str, date], int] = {}
        self.keys: dict[int, int] = {}
        self.now = clock.now()
        self.parsers = {
            "metric": self._metric,
            "area_code": self._area,
            "period": _remembered(self._period),
            "value": _number,
            "source": self._source,
            "source_link": _remembered(self._link),
            "as_at": _remembered(_as_at),
            "base_year": _base_year,
            "notes": _text,
        }

    def _load_lookups(self) -> None:
        self.indicators: dict[str, tuple[int, str]] = {}
        for pk, slug, name in Indicator.objects.values_list("pk", "slug", "name"):
            self.indicators[slug.casefold()] = (pk, name)
            self.indicators[name.casefold()] = (pk, name)
        self.areas: dict[str, Area] = {
            ENGLAND_GSS_CODE: Area(ENGLAND_GSS_CODE, "England", None, None, 0)
        }
        for pk, code, name in Region.objects.values_list("pk", "gss_code", "name"):
            self.areas[code] = Area(code, name, None, pk, len(self.areas))
        for pk, code, name in Council.objects.values_list("pk", "gss_code", "name"):
            self.areas[code] = Area(code, name, pk, None, len(self.areas))
        administrator = self.user is None or self.user.is_superuser
        self.all_areas = administrator
        self.own_councils = (
            None
            if administrator
            else dict(Council.objects.editable_by(self.user).values_list("pk", "name"))
        )

    # Reading and cleaning -------------------------------------------------------

    def run(self, file, limits) -> None:
        table = open_table(file, self.report.file_name, limits)
        self.report.file_format = table.file_format
        self.report.encoding = table.encoding
        self.columns = self._match_columns(table.headings)
        fields = {column.field for _index, column in self.columns}
        # Optional columns left out of the file keep their stored values.
        self.compared = [
            name for name in STORED if OPTIONAL.get(name, name) in fields | {name}
        ]
        self.updates = RowUpdates(IndicatorValue, [*self.compared, "updated_at"])
        self._load_lookups()
        batch: list[_Row] = []
        for number, cells in table.rows:
            self.report.rows += 1
            row = self._clean(number, cells)
            if row is not None:
                batch.append(row)
            if len(batch) >= BATCH_SIZE:
                self._process(batch)
                batch = []
                if self.progress:
                    self.progress(self.report.rows)
        self._process(batch)
        if not self.report.has_errors:
            self.updates.apply()
        if self.progress:
            self.progress(self.report.rows)

    def _match_columns(self, headings: list[str]) -> list[tuple[int, FigureColumn]]:
        matched: list[tuple[int, FigureColumn]] = []
        seen: dict[str, str] = {}
        self.unnamed: set[int] = set()
        self.width = len(headings)
        for index, heading in enumerate(headings):
            if not heading:
                self.unnamed.add(index)
                continue
            column = HEADINGS.get(normalise_heading(heading))
            if column is None:
                self.report.add_error(
                    1,
                    heading,
                    heading,
                    "This heading is not one the portal knows. Rename it to one of "
                    "the headings listed on the import page, or delete the column.",
                )
                continue
            if column.field in seen:
                self.report.add_error(
                    1,
                    heading,
                    heading,
                    f"This column and “{seen[column.field]}” are both "
                    f"“{column.heading}”. Keep one of them.",
                )
                continue
            seen[column.field] = heading
            matched.append((index, column))
            self.report.headings.append((heading, column.heading))
        for column in FIGURE_COLUMNS:
            if column.required and column.field not in seen:
                self.report.add_error(
                    1,
                    column.heading,
                    "",
                    f"The table needs a “{column.heading}” column.",
                )
        return matched

    def _clean(self, number: int, cells: list[str]) -> _Row | None:
        values: dict = {}
        width = len(cells)
        for index, column in self.columns:
            raw = cells[index] if index < width else ""
            try:
                values[column.field] = self.parsers[column.field](raw)
            except ValueProblem as problem:
                self.report.add_error(number, column.heading, raw, str(problem))
        for index in range(width):
            if cells[index] and (index >= self.width or index in self.unnamed):
                self.report.add_error(
                    number,
                    f"column {index + 1}",
                    cells[index],
                    "This cell has no heading the portal knows.",
                )
        indicator, area = values.get("metric"), values.get("area_code")
        period_text, period = values.get("period", ("", None))
        # Repeats are looked for even on rows with other problems, so they are named.
        if indicator and area and period:
            key = self._key(indicator[0], area, period)
            if (first := self.keys.get(key)) is not None:
                self.report.add_error(
                    number,
                    "period",
                    period_text,
                    f"Row {first} has the same metric, area and period: each figure "
                    "may appear once.",
                )
            else:
                self.keys[key] = number
        if self.report.has_errors:
            return None
        return _Row(number, indicator, area, period_text, period, values)

    def _key(self, indicator_id: int, area: Area, period: Period) -> int:
        """A small number standing for (indicator, area, period), so that the
        file's keys take little memory however long it is."""
        period_key = (period.kind, period.start)
        index = self.period_index.setdefault(period_key, len(self.period_index))
        return (indicator_id << 48) | (area.index << 28) | index

    def _metric(self, raw: str) -> tuple[int, str]:
        if not raw:
            raise ValueProblem("Every row needs a metric.")
        try:
            return self.indicators[raw.casefold()]
        except KeyError:
            raise ValueProblem(
                "There is no indicator with this slug or name. Add it under "
                "Indicators first, or use the slug of one listed there."
            ) from None

    def _area(self, raw: str) -> Area:
        code = raw.strip().upper()
        if not code:
            raise ValueProblem("Every row needs an area code.")
        area = self.areas.get(code)
        if area is None:
            raise ValueProblem(
                f"There is no council or region with the code “{code}” on the "
                f"portal (England is {ENGLAND_GSS_CODE})."
            )
        if self.all_areas:
            if area.council_id:
                self.councils_named.add(area.council_id)
            return area
        if area.council_id is None:
            raise ValueProblem(
                f"{area.name} figures are loaded by portal administrators; you may "
                "load figures for your own councils only."
            )
        if area.council_id not in self.own_councils:
            raise ValueProblem(
                f"{code} is {area.name}; you may load figures only for "
                f"{_names(self.own_councils.values())}."
            )
        self.councils_named.add(area.council_id)
        return area

    def _period(self, raw: str) -> tuple[str, Period]:
        if len(raw) > TEXT_LIMITS["period"]:
            raise ValueProblem("This is too long to be a period.")
        return raw, read_period(raw)  # raises ValueProblem with the reason

    def _source(self, raw: str) -> str:
        if not raw:
            raise ValueProblem("Every figure needs its source: who published it.")
        return _text(raw, TEXT_LIMITS["source"])

    def _link(self, raw: str) -> str:
        if not raw:
            return ""
        raw = _text(raw, TEXT_LIMITS["source_link"])
        try:
            self.url_validator(raw)
        except ValidationError:
            raise ValueProblem(
                "Give the full web address, starting https://."
            ) from None
        return raw

    # Matching and writing ------------------------------------------------------

    def _process(self, batch: list[_Row]) -> None:
        if not batch or self.report.has_errors:
            return
        existing = self._existing(batch)
        inserts, updates = [], []
        for row in batch:
            wanted = self._stored_values(row)
            found = existing.get(
                (row.indicator[0], row.area.code, row.period.kind, row.period.start)
            )
            if found is None:
                self.report.new += 1
                inserts.append((row, wanted))
                self._preview(row, "new", ())
                continue
            changes = tuple(
                name for name in self.compared if found[name] != wanted[name]
            )
            if changes:
                self.report.updated += 1
                updates.append((found["id"], wanted))
                if self.audit:
                    self.audit.changed(
                        council_id=row.area.council_id,
                        object_id=found["id"],
                        object_repr=_described(row),
                        changes={name: (found[name], wanted[name]) for name in changes},
                    )
                self._preview(
                    row,
                    "updated",
                    tuple(
                        f"{name}: {_shown(found[name])} → {_shown(wanted[name])}"
                        for name in changes
                    ),
                )
            else:
                self.report.unchanged += 1
                self._preview(row, "unchanged", ())
        if self.dry_run:
            return
        self._insert(inserts)
        self._update(updates)
        self._audit_inserts(inserts)
        self.audit.write()

    def _audit_inserts(self, inserts: list[tuple[_Row, dict]]) -> None:
        """Each new figure in the audit trail, with the id it was given."""
        if not inserts:
            return
        ids = {
            key: values["id"]
            for key, values in self._existing([row for row, _ in inserts]).items()
        }
        for row, wanted in inserts:
            key = (row.indicator[0], row.area.code, row.period.kind, row.period.start)
            self.audit.added(
                council_id=row.area.council_id,
                object_id=ids.get(key),
                object_repr=_described(row),
                values=wanted,
            )

    def _stored_values(self, row: _Row) -> dict:
        values = row.values
        return {
            "period": row.period_text,
            "base_year": values.get("base_year"),
            "value": values["value"],
            "source_name": values["source"],
            "source_url": values.get("source_link", ""),
            "as_at": values["as_at"],
            "notes": values.get("notes", ""),
        }

    def _preview(self, row: _Row, outcome: str, changes: tuple[str, ...]) -> None:
        if len(self.report.preview) < PREVIEW_ROWS:
            self.report.preview.append(
                RowPreview(
                    row.number,
                    outcome,
                    row.indicator[1],
                    row.area.name,
                    row.period_text,
                    row.values["value"],
                    changes,
                )
            )

    def _existing(self, batch: list[_Row]) -> dict:
        """Stored figures with the batch's (indicator, area, period), in one query."""
        keys = [
            (row.indicator[0], row.area.code, row.period.kind, row.period.start)
            for row in batch
        ]
        matching = RawSQL(*_wanted_ids_sql(keys))  # noqa: S611
        found = {}
        names = [
            "id",
            "indicator_id",
            "area_code",
            "period_kind",
            "period_start",
            *self.compared,
        ]
        for values in (
            IndicatorValue.objects.order_by().filter(pk__in=matching).values(*names)
        ):
            key = (
                values["indicator_id"],
                values["area_code"],
                values["period_kind"],
                values["period_start"],
            )
            found[key] = values
        return found

    def _insert(self, rows: list[tuple[_Row, dict]]) -> None:
        if not rows:
            return
        now = connection.ops.adapt_datetimefield_value(self.now)
        tuples = [
            (
                row.indicator[0],
                row.area.code,
                row.area.council_id,
                row.area.region_id,
                str(row.period.kind),
                row.period.start,
                row.period.end,
                *(wanted[name] for name in STORED),
                now,
            )
            for row, wanted in rows
        ]
        insert_rows(IndicatorValue, INSERT_COLUMNS, tuples)

    def _update(self, updates: list[tuple[int, dict]]) -> None:
        if not updates:
            return
        now = connection.ops.adapt_datetimefield_value(self.now)
        self.updates.add(
            [
                (pk, *(wanted[name] for name in self.compared), now)
                for pk, wanted in updates
            ]
        )


INSERT_COLUMNS = [
    "indicator_id",
    "area_code",
    "council_id",
    "region_id",
    "period_kind",
    "period_start",
    "period_end",
    *STORED,
    "updated_at",
]


def _wanted_ids_sql(keys: list[tuple]) -> tuple[str, list]:
    """SQL for the ids of stored figures with these (indicator, area code, period
    kind, period start) keys, and its parameters.

    A join, so that each key is one probe of the unique index (SQLite answers a
    row-value IN by scanning the table). PostgreSQL gets the keys as four arrays:
    a VALUES list of 8,000 parameters takes it longer to plan than to run. Built
    from the model's own table and columns; every value is a parameter.
    """
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    join = (
        f"JOIN {table} AS t ON t.indicator_id = wanted.i AND t.area_code = wanted.a "
        "AND t.period_kind = wanted.k AND t.period_start = wanted.s"
    )
    if connection.vendor == "postgresql":
        columns = [list(column) for column in zip(*keys, strict=True)]
        return (
            "SELECT t.id FROM unnest(%s::bigint[], %s::text[], %s::text[], "  # noqa: S608
            f"%s::date[]) AS wanted (i, a, k, s) {join}",
            columns,
        )
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(keys))
    return (
        f"WITH wanted (i, a, k, s) AS (VALUES {placeholders}) "  # noqa: S608
        f"SELECT t.id FROM wanted {join}",
        [value for key in keys for value in key],
    )


def _described(row: _Row) -> str:
    """A figure as the audit trail names it: indicator, area and period."""
    return f"{row.indicator[1]}: {row.area.name} ({row.area.code}), {row.period_text}"


def _remembered(parse: Callable[[str], object]) -> Callable[[str], object]:
    """``parse``, checking each different text once: a file repeats its periods,
    links and dates on every row. Bounded, so all-different values keep memory
    flat; problems are not remembered, so each bad cell is reported."""
    cache: dict[str, object] = {}

    def parsed(raw: str):
        try:
            return cache[raw]
        except KeyError:
            pass
        value = parse(raw)
        if len(cache) >= VALUE_CACHE_SIZE:
            cache.clear()
        cache[raw] = value
        return value

    return parsed


def _shown(value) -> str:
    if isinstance(value, Decimal):
        # normalize() alone would show 52700 as 5.27E+4.
        return f"{value.normalize():f}"
    return "(blank)" if value in ("", None) else str(value)


def _names(names) -> str:
    names = sorted(names)
    if not names:
        return "the councils you work for (you have none yet)"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _text(raw: str, limit: int | None = None) -> str:
    # Our own downloads escape formula-like text with an apostrophe; take it off.
    if raw.startswith("'") and raw[1:].startswith(FORMULA_TRIGGERS):
        raw = raw[1:]
    if limit is not None and len(raw) > limit:
        raise ValueProblem(f"This is {len(raw)} characters; the limit is {limit}.")
    return raw


def _number(raw: str) -> Decimal:
    text = raw.replace(",", "").replace(" ", "")
    if text.startswith("'"):
        text = text[1:]
    if not text:
        raise ValueProblem("Every row needs a value.")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(
            "Write the figure as a number only, such as 626.4 or 52700: no £, % "
            "or words."
        ) from None
    if not value.is_finite() or abs(value) >= VALUE_LIMIT:
        raise ValueProblem("The number is out of range.")
    # Spreadsheets store 26.0 as 26.000000000000004; four places are kept.
    return value.quantize(FOUR_PLACES)


def _as_at(raw: str):
    if not raw:
        raise ValueProblem("Every figure needs its as-at or published date.")
    try:
        period = read_period(raw)
    except ValueProblem:
        period = None
    if period is None or period.kind != PeriodKind.DAY:
        raise ValueProblem(
            "Write the date the figure was published or is as at, such as "
            "2024-02-01, 01/02/2024 or 1 February 2024."
        )
    return period.start


def _base_year(raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
        raise ValueProblem(
            "Write the year the projection was made from, such as 2018; leave it "
            "blank for actual figures."
        )
    return int(raw)
