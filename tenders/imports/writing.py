"""Writing an import's new and changed rows: PostgreSQL COPY, or executemany.

The SQL here is built from the model's own table and column names, never from the
file: every value goes through COPY or a query parameter. COPY is psycopg's own
method, which Django's cursor does not wrap: ``wrap_database_errors`` turns its
errors (psycopg's ``UniqueViolation`` and the rest) into Django's, so the import
refuses the file rather than failing with a server error.
"""

from django.db import connection

from councils.pagecache import content_changed

from ..models import Tender

INSERT_FIELDS = [
    f for f in Tender._meta.concrete_fields if not f.primary_key and f.column
]


def _quoted(names: list[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def insert_rows(names: list[str], rows: list[tuple]) -> None:
    """Insert new tenders, ``rows`` holding the values of ``names`` in order."""
    table = connection.ops.quote_name(Tender._meta.db_table)
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({_quoted(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # COPY is psycopg's own method: the page cache's write watcher misses it.
            content_changed()
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {table} ({_quoted(names)}) "  # noqa: S608
                f"VALUES ({placeholders})",
                rows,
            )


def update_rows(council_id: int, names: list[str], rows: list[tuple]) -> None:
    """Update a council's tenders, each row being (id, *values of names)."""
    table = connection.ops.quote_name(Tender._meta.db_table)
    quote = connection.ops.quote_name
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tender_import_changes "  # noqa: S608
                f"ON COMMIT DROP AS SELECT id, {_quoted(names)} FROM {table} "
                "WITH NO DATA"
            )
            cursor.execute("TRUNCATE tender_import_changes")
            with cursor.copy(
                f"COPY tender_import_changes (id, {_quoted(names)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(
                f"{quote(name)} = c.{quote(name)}" for name in names
            )
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
                "FROM tender_import_changes AS c "
                "WHERE t.id = c.id AND t.council_id = %s",
                [council_id],
            )
            cursor.execute("TRUNCATE tender_import_changes")
        else:
            assignments = ", ".join(f"{quote(name)} = %s" for name in names)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s AND council_id = %s",  # noqa: S608
                [(*row[1:], row[0], council_id) for row in rows],
            )


def replace_terms(through, key: str, terms: dict[int, frozenset[int]]) -> None:
    """Set each tender's terms of one list (types of care, client groups)."""
    if not terms:
        return
    through.objects.filter(tender_id__in=terms).delete()
    through.objects.bulk_create(
        [
            through(tender_id=tender_id, **{key: pk})
            for tender_id, pks in terms.items()
            for pk in pks
        ]
    )


def refresh_statistics() -> None:
    """Refresh PostgreSQL's row statistics for the tenders table after a bulk load.

    Until autovacuum gets round to it, the planner still thinks the table holds
    what it held before, and looks rows up by reading every row of the council:
    the next import, and the finder, slow down as the table grows. PostgreSQL's
    advice after a bulk load is to run ANALYZE, which samples the table (a fraction
    of a second) and is transactional like the load itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"ANALYZE {connection.ops.quote_name(Tender._meta.db_table)}"
            )
