"""The complete file of each unfiltered download, made again when the content changes.

At national scale an unfiltered download (150,000 tenders as CSV, JSON or OCDS)
takes the database tens of seconds to stream. So, as Contracts Finder publishes
daily files, the unfiltered form of every download in ``settings.COMPLETE_DOWNLOADS``
is also kept as a complete file in the ``downloads`` storage (``STORAGES``), and
served from there while it is current.

- **Current** means made from the content version (``councils.pagecache``) and the
  code version in force now: files are named by a digest of both and the URL, so a
  change to public content, a scheduled publication or midnight falling due, or a
  deploy, makes every file stale at once. A stale file is never served: the download
  streams from the database, as before, until the new file is ready.
- **Made** by running the download's own view for a request to ``SITE_URL`` with no
  filters, so a file is byte for byte what that view streams (its links name
  ``SITE_URL``), at the same flat memory.
- **Atomic**: the bytes go to a temporary file (beside the destination when the
  storage is a local folder), which the storage moves into place (a rename on one
  filesystem; one upload to an object store); then a small manifest saying what the
  file is and when it was made is saved the same way. Readers look for the manifest
  only, so they never meet a half-written file.
- **When**: a background task (``build_download_files``, Django's tasks framework) is
  queued when content changes are committed, when a request finds no current file,
  and for the content version's next scheduled boundary; one queued at a time, and
  one build of a file at a time across workers. ``manage.py build_downloads`` makes
  them in the foreground, for cron.
"""

import hashlib
import io
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages
from django.core.handlers.wsgi import WSGIRequest
from django.http import FileResponse
from django.tasks import task
from django.urls import resolve, reverse
from django.utils.http import http_date

from .downloads import Download, write_together
from .pagecache import ContentVersion, code_version, current_version

logger = logging.getLogger(__name__)

STORAGE = "downloads"
# A queued build that has not started: no other is queued until it starts, or
# until this long has passed (a worker that is down loses nothing for good).
PENDING_KEY = "downloads:pending"
PENDING_SECONDS = 300
# One build of a file at a time: the lock lapses after this long if its worker dies.
BUILDING_SECONDS = 900
# Files no longer current are deleted this long after they were made, so that a
# visitor still reading one finishes it.
KEEP_SECONDS = 3600
READ_BYTES = 64 * 1024


def storage():
    return storages[STORAGE]


def _folder(url_name: str) -> str:
    return url_name.replace(":", "/")


def _digest(url_name: str, version: ContentVersion) -> str:
    text = f"{code_version()} {version.key} {url_name}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def manifest_name(url_name: str, version: ContentVersion) -> str:
    return f"{_folder(url_name)}/{_digest(url_name, version)}.manifest"


@dataclass(frozen=True)
class CompleteFile:
    """A current complete file, opened, ready to be sent."""

    file: File
    manifest: dict

    @property
    def produced(self) -> datetime:
        return datetime.fromisoformat(self.manifest["produced"])

    def response(self) -> FileResponse:
        response = FileResponse(self.file, content_type=self.manifest["content_type"])
        response.block_size = READ_BYTES
        if disposition := self.manifest.get("content_disposition"):
            response["Content-Disposition"] = disposition
        elif "Content-Disposition" in response:
            del response["Content-Disposition"]
        response["X-Download-Source"] = "complete-file"
        response["X-Download-Produced"] = http_date(self.produced.timestamp())
        return response


def has_current_file(url_name: str, version: ContentVersion) -> bool:
    try:
        return storage().exists(manifest_name(url_name, version))
    except OSError:
        return False


def current_file(url_name: str, version: ContentVersion) -> CompleteFile | None:
    """The complete file of ``url_name`` made from ``version``, if there is one."""
    files = storage()
    try:
        with files.open(manifest_name(url_name, version), "rb") as opened:
            manifest = json.load(opened)
        return CompleteFile(file=files.open(manifest["file"], "rb"), manifest=manifest)
    except (OSError, ValueError, KeyError):
        # None yet, or a manifest being written where the storage cannot rename.
        return None


def _request(path: str) -> WSGIRequest:
    """A visitor's request for ``path`` with no filters, at ``SITE_URL``."""
    site = urlsplit(settings.SITE_URL)
    secure = site.scheme == "https"
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": site.hostname,
            "SERVER_PORT": str(site.port or (443 if secure else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": site.netloc,
            "wsgi.url_scheme": site.scheme,
            "wsgi.input": io.BytesIO(),
        }
    )
    request.user = AnonymousUser()
    return request


class _Temporary(File):
    """A finished temporary file: FileSystemStorage moves it rather than copy it."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _temporary(name: str):
    """An open temporary file for ``name``: beside it when the storage is a local
    folder (so that saving it is a rename), else in the system's own folder."""
    files = storage()
    try:
        directory = files.path(str(PurePosixPath(name).parent))
    except NotImplementedError:  # not a local folder: a temporary file of our own
        directory = None
    else:
        os.makedirs(directory, exist_ok=True)
    return tempfile.NamedTemporaryFile(dir=directory, prefix=".building-", delete=False)


def _move_into_place(temporary_name: str, name: str) -> str:
    """Have the storage move a finished temporary file to ``name`` (or a free name
    beside it); returns the name saved."""
    try:
        with open(temporary_name, "rb") as finished:
            return storage().save(name, _Temporary(finished, name=name))
    finally:
        if os.path.exists(temporary_name):
            os.unlink(temporary_name)


def _save_atomically(name: str, pieces) -> tuple[str, int]:
    """Write ``pieces`` (bytes) to a temporary file, then have the storage move it to
    ``name`` (or a free name beside it). Returns the name saved and the size."""
    saved, sizes = _save_together({name: name}, ((name, piece) for piece in pieces))
    return saved[name], sizes[name]


def _save_together(names: dict, pieces) -> tuple[dict, dict]:
    """Write ``pieces``, (key, bytes) pairs, each to the temporary file of its key,
    then move each file to its name in ``names`` (by key), once all are written
    whole. Returns the names saved and the sizes, by key."""
    temporaries = {}
    sizes = dict.fromkeys(names, 0)
    try:
        for key, name in names.items():
            temporaries[key] = _temporary(name)
        for key, piece in pieces:
            temporaries[key].write(piece)
            sizes[key] += len(piece)
        for temporary in temporaries.values():
            temporary.close()
    except BaseException:
        for temporary in temporaries.values():
            temporary.close()
            os.unlink(temporary.name)
        raise
    saved = {}
    try:
        for key, name in names.items():
            saved[key] = _move_into_place(temporaries.pop(key).name, name)
    finally:
        for temporary in temporaries.values():
            os.unlink(temporary.name)
    return saved, sizes


@dataclass(frozen=True)
class Built:
    url_name: str
    status: str  # "built", "current", "busy" or "not published"
    bytes: int = 0
    seconds: float = 0.0


def _view(url_name: str):
    """The view of ``url_name`` set up for a visitor's request with no filters."""
    path = reverse(url_name)
    request = _request(path)
    match = resolve(path)
    request.resolver_match = match
    return match, request


def _manifest(url_name, version, saved, size, produced, content_type, disposition):
    manifest = {
        "url_name": url_name,
        "file": saved,
        "bytes": size,
        "produced": produced.isoformat(),
        "content_version": version.key,
        "code_version": code_version(),
        "content_type": content_type,
        "content_disposition": disposition,
    }
    _save_atomically(manifest_name(url_name, version), [json.dumps(manifest).encode()])


def _file_name(url_name: str, version: ContentVersion) -> str:
    suffix = PurePosixPath(reverse(url_name)).suffix
    return f"{_folder(url_name)}/{_digest(url_name, version)}{suffix}"


def _build(url_name: str, version: ContentVersion) -> Built:
    started = time.perf_counter()
    match, request = _view(url_name)
    # Not closed: a response's close() says the request has finished, which
    # closes the database connection the caller may still be using. The rows'
    # cursor closes when the stream is read to its end (or dropped).
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200:
        return Built(url_name, "not published")
    pieces = response.streaming_content if response.streaming else [response.content]
    produced = datetime.now(UTC)
    saved, size = _save_atomically(_file_name(url_name, version), pieces)
    _manifest(
        url_name,
        version,
        saved,
        size,
        produced,
        response["Content-Type"],
        response.get("Content-Disposition", ""),
    )
    return Built(url_name, "built", size, time.perf_counter() - started)


def _together(url_name: str):
    """What makes ``url_name``'s file in one pass with those of other downloads of
    the same rows: its view class's ``build_together`` (see
    ``tenders.views.TenderDownloadView``), or None."""
    match = resolve(reverse(url_name))
    build = getattr(getattr(match.func, "view_class", None), "build_together", None)
    return getattr(build, "__func__", build)


def _build_together(url_names: list[str], version: ContentVersion) -> list[Built]:
    """The files of ``url_names``, whose views share a ``build_together``, from one
    pass over their rows: each is what its view streams, byte for byte, as both
    come from the view's ``download`` and ``write_together``."""
    started = time.perf_counter()
    views = {}
    for url_name in url_names:
        match, request = _view(url_name)
        view = match.func.view_class(**match.func.view_initkwargs)
        view.setup(request, *match.args, **match.kwargs)
        views[url_name] = view
    rows, downloads = type(views[url_names[0]]).build_together(views)
    published = {
        name: found for name, found in downloads.items() if isinstance(found, Download)
    }
    produced = datetime.now(UTC)
    names = {name: _file_name(name, version) for name in published}
    pieces = ((name, chunk.encode()) for name, chunk in write_together(published, rows))
    saved, sizes = _save_together(names, pieces)
    seconds = time.perf_counter() - started
    results = []
    for url_name in url_names:
        found = published.get(url_name)
        if found is None:
            results.append(Built(url_name, "not published"))
            continue
        _manifest(
            url_name,
            version,
            saved[url_name],
            sizes[url_name],
            produced,
            found.content_type,
            found.headers.get("Content-Disposition", ""),
        )
        results.append(Built(url_name, "built", sizes[url_name], seconds))
    return results


def _sweep(url_name: str, version: ContentVersion) -> None:
    """Delete files of ``url_name`` that are no longer current, once old enough."""
    files = storage()
    folder = _folder(url_name)
    keep = _digest(url_name, version)
    try:
        names = files.listdir(folder)[1]
    except (OSError, NotImplementedError):
        return
    cutoff = time.time() - KEEP_SECONDS
    for name in names:
        if name.startswith(keep):
            continue
        path = f"{folder}/{name}"
        try:
            if files.get_modified_time(path).timestamp() < cutoff:
                files.delete(path)
        except (OSError, NotImplementedError):
            continue


def download_files_build(
    *, url_names: list[str] | None = None, force: bool = False
) -> list[Built]:
    """Make the complete file of each download (all of ``COMPLETE_DOWNLOADS`` by
    default) that has none for the content version now; ``force`` makes it again
    even if it has. Downloads whose views can make their files together
    (``build_together``: the tenders' CSV, JSON and OCDS) are made in one pass
    over their rows.

    The version is read before a file is made: content that changes while it is
    being made leaves it stale from the start, and the change queues the next build.
    """
    groups: dict[object, list[str]] = {}
    for url_name in url_names or settings.COMPLETE_DOWNLOADS:
        groups.setdefault(_together(url_name) or url_name, []).append(url_name)
    results = {}
    for group in groups.values():
        version = current_version()
        locks = {}
        for url_name in group:
            if not force and has_current_file(url_name, version):
                results[url_name] = Built(url_name, "current")
                continue
            lock = f"downloads:building:{_digest(url_name, version)}"
            if not cache.add(lock, True, timeout=BUILDING_SECONDS):
                results[url_name] = Built(url_name, "busy")
                continue
            locks[url_name] = lock
        if not locks:
            continue
        try:
            if len(locks) > 1:
                built = _build_together(list(locks), version)
            else:
                built = [_build(url_name, version) for url_name in locks]
        finally:
            cache.delete_many(list(locks.values()))
        for result in built:
            results[result.url_name] = result
            _sweep(result.url_name, version)
    return [results[url_name] for group in groups.values() for url_name in group]


_migrating = False


def download_files_request_build() -> bool:
    """Queue a build of the files not current, unless one is queued already."""
    if not settings.DOWNLOAD_FILES or _migrating:
        return False
    try:
        if not cache.add(PENDING_KEY, time.time(), timeout=PENDING_SECONDS):
            return False
    except Exception:  # a download is served whether or not a build is queued
        logger.exception("Could not queue a build of the complete downloads")
        return False
    try:
        build_download_files.enqueue()
    except Exception:
        cache.delete(PENDING_KEY)
        logger.exception("Could not queue a build of the complete downloads")
        return False
    return True


def pause_during_migrations(**kwargs) -> None:
    """No builds are queued while ``migrate`` runs (the tasks table may not exist
    yet); the new code version makes every file stale anyway."""
    global _migrating
    _migrating = True


def resume_after_migrations(**kwargs) -> None:
    global _migrating
    _migrating = False


def _schedule_next(version: ContentVersion) -> None:
    """Queue a build for when the content version next moves on by itself (a
    scheduled publication, or midnight), once per boundary."""
    if not cache.add(f"downloads:scheduled:{version.upcoming}", True, timeout=172800):
        return
    try:
        build_download_files.using(
            run_after=datetime.fromtimestamp(version.upcoming + 1, UTC)
        ).enqueue()
    except Exception:  # a backend that cannot defer: the next request queues one
        logger.exception("Could not queue the next scheduled build of the downloads")


@task
def build_download_files() -> dict:
    # Cleared first: a change from now on queues another build.
    cache.delete(PENDING_KEY)
    results = download_files_build()
    _schedule_next(current_version())
    return {result.url_name: result.status for result in results}


def on_content_committed(**kwargs) -> None:
    download_files_request_build()
