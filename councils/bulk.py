"""Bulk writes for imports: COPY on PostgreSQL, ``executemany`` elsewhere.

Any app's import may use these (they know nothing of a particular model). The SQL
is built from the model's own table and column names, never from a file: every
value goes through COPY or a query parameter. COPY raises psycopg's own errors,
which Django does not wrap: catch ``DATABASE_ERRORS``.
"""

import gc
from contextlib import contextmanager

from django.db import DatabaseError, connection, models

from .pagecache import content_changed

try:
    from psycopg import Error as PsycopgError

    DATABASE_ERRORS: tuple[type[Exception], ...] = (DatabaseError, PsycopgError)
except ImportError:  # pragma: no cover - installs without PostgreSQL
    DATABASE_ERRORS = (DatabaseError,)


def _quoted(names: list[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def insert_rows(model: type[models.Model], names: list[str], rows: list[tuple]) -> None:
    """Insert rows (tuples in the order of the column ``names``)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({_quoted(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # COPY is psycopg's own method: the page cache's write watcher misses it.
            content_changed()
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(
                f"INSERT INTO {table} ({_quoted(names)}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )


class RowUpdates:
    """Changes to existing rows, gathered batch by batch and applied together.

    ``add`` takes tuples of (id, *values) for the columns ``names``. On PostgreSQL
    each batch goes into a temporary table with COPY and ``apply`` updates the
    table from it in one statement: one join over the table for the whole file,
    where an UPDATE per batch would read the table once per batch. Elsewhere each
    batch is written at once with ``executemany``. Call ``apply`` before the
    transaction ends; rows must not be read back in between.
    """

    def __init__(self, model: type[models.Model], names: list[str]):
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.changes = connection.ops.quote_name(f"{model._meta.db_table}_changes")
        self.names = names
        self.pending = False

    def add(self, rows: list[tuple]) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                assignments = ", ".join(f"{quote(name)} = %s" for name in self.names)
                cursor.executemany(
                    f"UPDATE {self.table} SET {assignments} WHERE id = %s",  # noqa: S608
                    [(*row[1:], row[0]) for row in rows],
                )
                return
            if not self.pending:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {self.changes} "  # noqa: S608
                    f"ON COMMIT DROP AS SELECT id, {_quoted(self.names)} "
                    f"FROM {self.table} WITH NO DATA"
                )
                cursor.execute(f"TRUNCATE {self.changes}")
                self.pending = True
            sql = f"COPY {self.changes} (id, {_quoted(self.names)}) FROM STDIN"
            with cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)

    def apply(self) -> None:
        if not self.pending:
            return
        quote = connection.ops.quote_name
        assignments = ", ".join(
            f"{quote(name)} = c.{quote(name)}" for name in self.names
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {self.changes}")
            cursor.execute(
                f"UPDATE {self.table} AS t SET {assignments} "  # noqa: S608
                f"FROM {self.changes} AS c WHERE t.id = c.id"
            )
            cursor.execute(f"TRUNCATE {self.changes}")
        self.pending = False


def refresh_statistics(model: type[models.Model]) -> None:
    """Refresh PostgreSQL's statistics for a table after a bulk load.

    Until autovacuum gets round to it, the planner still thinks the table holds
    what it held before; ANALYZE samples it (a fraction of a second) and is
    transactional like the load itself.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def cycle_collection_paused():
    """Run a bulk import without Python's cycle collector.

    An import builds tens of thousands of long-lived objects (a record per
    location, rows to write), and each of them counts towards the allocations
    that start a collection: the collector then walks everything alive, again
    and again, though none of it is garbage until the import ends (a tenth of a
    national CQC file's import). Reference counting still frees everything that
    is not in a cycle; the cycles left are collected after the import.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
