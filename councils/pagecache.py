"""The public content version: what cached pages and download validators hang on.

A cached page or an ETag is valid for one *content version*, the pair of

- a generation token, replaced by ``content_changed()`` whenever anything is
  written to a table of the public content apps (``settings.PUBLIC_CONTENT_APPS``),
  and
- an epoch, moved on when a scheduled change falls due: the next ``publish_at`` of
  any registered scheduled field (``schedule()``), or the next local midnight (the
  calendar date drives "closing soon", review dates and "may be out of date").

Writes are seen by a database execute wrapper installed on every connection, not
by model signals: signals miss ``QuerySet.update()``, ``bulk_create()``, deletes of
querysets and raw SQL, which the imports and the publishing workflow use. The one
path the wrapper cannot see is PostgreSQL's COPY (psycopg's own method); the bulk
writers that use it call ``content_changed()`` themselves.

Inside a transaction the generation is replaced at once and again on commit: a page
rendered from the data before the commit, by a request that read the generation
in between, is stored under a generation that is already gone. ``content_committed``
is sent once the change is committed (at once outside a transaction), for work that
must see it, such as making the complete downloads again.
"""

import datetime
import functools
import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connections, models, transaction
from django.db.backends.signals import connection_created
from django.db.models.functions import Now
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
SCHEDULE_KEY = "pagecache:schedule"
VERSION_KEYS = [GENERATION_KEY, SCHEDULE_KEY]
# The cache alias that holds the content version when the shared cache is only
# one process's memory (no CACHE_URL: see settings and ``version_cache``).
VERSION_CACHE = "content-version"
WRITE_STATEMENT = re.compile(
    r"^\s*(?:INSERT|UPDATE|DELETE|TRUNCATE|REPLACE|MERGE|CREATE|ALTER|DROP)\b", re.I
)

# Sent after public content changed and the change was committed.
content_committed = Signal()

_scheduled: list[tuple[type[models.Model], str]] = []
_tables: re.Pattern | None = None


@dataclass(frozen=True)
class ContentVersion:
    token: str
    epoch: float
    upcoming: float

    @property
    def key(self) -> str:
        return f"{self.token}@{self.epoch:.6f}<{self.upcoming:.6f}"

    @property
    def last_modified(self) -> float:
        return self.epoch


def schedule(model: type[models.Model], field: str) -> None:
    """Register a date-time field whose future values make content appear later.

    Rows of ``model`` become public when ``field`` passes (compared with the
    database's ``Now()``, as the public querysets do).
    """
    if (model, field) not in _scheduled:
        _scheduled.append((model, field))


def next_scheduled_change() -> float | None:
    """The earliest registered scheduled time still in the future, as a timestamp."""
    times = []
    for model, field in _scheduled:
        found = model._base_manager.filter(**{f"{field}__gt": Now()}).aggregate(
            soonest=models.Min(field)
        )["soonest"]
        if found is not None:
            times.append(found.timestamp())
    return min(times, default=None)


def next_midnight(now: float) -> float:
    """The next local midnight after ``now``: when "today" changes."""
    local = timezone.localtime(datetime.datetime.fromtimestamp(now, datetime.UTC))
    tomorrow = local.date() + datetime.timedelta(days=1)
    midnight = datetime.datetime.combine(tomorrow, datetime.time())
    return timezone.make_aware(midnight, local.tzinfo).timestamp()


def version_cache():
    """Where the content version is kept: the shared cache (Redis), or, when the
    cache is one process's memory (the default without ``CACHE_URL``), Django's
    file cache (``settings.CACHES["content-version"]``), so that a command run
    beside the server (an import, a demo load, a publication falling due) makes
    the server's pages and kept results stale too: a version kept in the
    server's own memory would never hear of those writes."""
    return caches[VERSION_CACHE] if VERSION_CACHE in settings.CACHES else cache


def version_and(keys: list[str]) -> tuple[dict, dict]:
    """The stored content version's entries (for ``current_version``) and the
    entries under ``keys``, in one round trip when both are in the shared cache."""
    versions = version_cache()
    if versions is cache:
        found = cache.get_many([*VERSION_KEYS, *keys])
        return found, found
    return versions.get_many(VERSION_KEYS), cache.get_many(keys) if keys else {}


def _new_generation() -> dict:
    return {"token": secrets.token_hex(8), "at": time.time()}


# Whether this process has read the content version since it last replaced it.
# Until it has, nothing it keeps can be under the newest version, so a write
# inside a transaction need not replace it again before the commit does.
_read_since_bump = True


def _bump() -> None:
    global _read_since_bump
    version_cache().set(GENERATION_KEY, _new_generation(), timeout=None)
    _read_since_bump = False


def _committed() -> None:
    for receiver, error in content_committed.send_robust(sender=None):
        if error is not None:
            logger.error("%s failed after a content change", receiver, exc_info=error)


def _bump_after_commit() -> None:
    try:
        _bump()
    except Exception:  # the data is committed whatever the cache says
        logger.exception("Could not replace the page cache generation after commit")
    _committed()


def content_changed(using: str = "default") -> None:
    """Make every cached page and validator stale, now and when the transaction
    (if any) commits.

    Inside a transaction the version is replaced at once only if this process
    has read it since it last replaced it (a page it rendered from the
    transaction's own writes may be kept under it); other processes see the
    writes only once they are committed, when it is replaced again. So a
    transaction of many writes, such as an import or a demo load, replaces it
    once or twice, not once per statement."""
    connection = connections[using]
    if not connection.in_atomic_block:
        _bump()
        _committed()
        return
    if _read_since_bump:
        _bump()
    if not any(entry[1] is _bump_after_commit for entry in connection.run_on_commit):
        transaction.on_commit(_bump_after_commit, using=using)


def _generation(value) -> dict:
    """The stored generation, or a new one when there is none (a cleared or
    evicted cache: a fresh random token never matches an old entry)."""
    if value is not None:
        return value
    versions = version_cache()
    versions.add(GENERATION_KEY, _new_generation(), timeout=None)
    return versions.get(GENERATION_KEY) or _new_generation()


def current_version(generation=None, stored_schedule=None) -> ContentVersion:
    """The content version now. Pass values already fetched (``get_many``) to save
    round trips; the database is asked only when a scheduled time has passed.

    Raises ``DatabaseError`` when the database cannot be asked.
    """
    global _read_since_bump
    _read_since_bump = True
    generation = _generation(generation)
    now = time.time()
    record = stored_schedule
    if record is None or record["token"] != generation["token"]:
        record = {
            "token": generation["token"],
            "epoch": generation["at"],
            "since": now,
            "next": _next_boundary(now),
        }
        version_cache().set(SCHEDULE_KEY, record, timeout=None)
    elif now >= record["next"] or now < record["since"]:
        upcoming = _next_boundary(now)
        # The database's clock decides when a scheduled row is public: until it
        # agrees the time has come, the version (and the pages) stay as they are.
        # (A clock set back, as in tests, always starts a new epoch.)
        if upcoming != record["next"] or now < record["since"]:
            record = {**record, "epoch": now, "since": now, "next": upcoming}
            version_cache().set(SCHEDULE_KEY, record, timeout=None)
    return ContentVersion(
        token=generation["token"], epoch=record["epoch"], upcoming=record["next"]
    )


@functools.cache
def code_version() -> str:
    """A digest of the portal's code, templates and static manifest, and Django's
    version: instances running other code (a deploy, a rolling restart) never
    serve each other's pages, validators or kept results."""
    digest = hashlib.sha256(django.get_version().encode())
    root = Path(settings.BASE_DIR)
    folders = ["mps_portal", "templates", *settings.PUBLIC_CONTENT_APPS]
    files = [
        path
        for folder in folders
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".xml"} and path.is_file()
    ]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    for path in sorted([*files, manifest] if manifest.exists() else files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def versioned_key(prefix: str, *parts) -> str:
    """A shared-cache key for something worked out from public content: ``prefix``
    and a digest of ``parts``, the content version now and the code version. Any
    write to public content, and any scheduled publication falling due, makes a
    new version, so what is kept under a key is exactly what working it out again
    would give; instances running other code (a rolling deploy) never read each
    other's entries, whose shape that code may have changed.

    Raises ``DatabaseError`` when the database cannot be asked (as
    ``current_version``).
    """
    found, _ = version_and([])
    version = current_version(found.get(GENERATION_KEY), found.get(SCHEDULE_KEY))
    digest = hashlib.sha256(
        f"{code_version()} {version.key} {parts!r}".encode()
    ).hexdigest()
    return f"{prefix}:{digest}"


def _next_boundary(now: float) -> float:
    scheduled = next_scheduled_change()
    midnight = next_midnight(now)
    return midnight if scheduled is None else min(scheduled, midnight)


def _content_tables() -> re.Pattern:
    global _tables
    if _tables is None:
        names = {
            model._meta.db_table
            for label in settings.PUBLIC_CONTENT_APPS
            for model in apps.get_app_config(label).get_models(
                include_auto_created=True
            )
        }
        alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
        _tables = re.compile(rf"\b(?:{alternatives})\b")
    return _tables


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    text = sql if isinstance(sql, str) else str(sql)
    if WRITE_STATEMENT.match(text) and _content_tables().search(text):
        content_changed(using=context["connection"].alias)
    return result


def _install(connection) -> None:
    # First in the list: ``connection.execute_wrapper()`` pops its own from the end.
    if _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch_writes)


def _on_connection_created(sender, connection, **kwargs):
    _install(connection)


def watch_content_writes() -> None:
    """Install the write watcher on every database connection, now and future."""
    connection_created.connect(_on_connection_created, dispatch_uid="pagecache")
    for connection in connections.all(initialized_only=True):
        _install(connection)
