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

from mps_portal.pagecache import code_version

from .pagecache import ContentVersion, current_version

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


def _save_atomically(name: str, pieces) -> tuple[str, int]:
    """Write ``pieces`` (bytes) to a temporary file, then have the storage move it to
    ``name`` (or a free name beside it). Returns the name saved and the size."""
    files = storage()
    try:
        directory = files.path(str(PurePosixPath(name).parent))
    except NotImplementedError:  # not a local folder: a temporary file of our own
        directory = None
    else:
        os.makedirs(directory, exist_ok=True)
    size = 0
    with tempfile.NamedTemporaryFile(
        dir=directory, prefix=".building-", delete=False
    ) as temporary:
        try:
            for piece in pieces:
                temporary.write(piece)
                size += len(piece)
        except BaseException:
            temporary.close()
            os.unlink(temporary.name)
            raise
    try:
        with open(temporary.name, "rb") as finished:
            saved = files.save(name, _Temporary(finished, name=name))
    finally:
        if os.path.exists(temporary.name):
            os.unlink(temporary.name)
    return saved, size


@dataclass(frozen=True)
class Built:
    url_name: str
    status: str  # "built", "current", "busy" or "not published"
    bytes: int = 0
    seconds: float = 0.0


def _build(url_name: str, version: ContentVersion) -> Built:
    started = time.perf_counter()
    path = reverse(url_name)
    request = _request(path)
    match = resolve(path)
    request.resolver_match = match
    # Not closed: a response's close() says the request has finished, which
    # closes the database connection the caller may still be using. The rows'
    # cursor closes when the stream is read to its end (or dropped).
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code != 200:
        return Built(url_name, "not published")
    pieces = response.streaming_content if response.streaming else [response.content]
    produced = datetime.now(UTC)
    digest = _digest(url_name, version)
    suffix = PurePosixPath(path).suffix
    saved, size = _save_atomically(f"{_folder(url_name)}/{digest}{suffix}", pieces)
    manifest = {
        "url_name": url_name,
        "file": saved,
        "bytes": size,
        "produced": produced.isoformat(),
        "content_version": version.key,
        "code_version": code_version(),
        "content_type": response["Content-Type"],
        "content_disposition": response.get("Content-Disposition", ""),
    }
    _save_atomically(manifest_name(url_name, version), [json.dumps(manifest).encode()])
    return Built(url_name, "built", size, time.perf_counter() - started)


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
    even if it has.

    The version is read before a file is made: content that changes while it is
    being made leaves it stale from the start, and the change queues the next build.
    """
    results = []
    for url_name in url_names or settings.COMPLETE_DOWNLOADS:
        version = current_version()
        if not force and has_current_file(url_name, version):
            results.append(Built(url_name, "current"))
            continue
        lock = f"downloads:building:{_digest(url_name, version)}"
        if not cache.add(lock, True, timeout=BUILDING_SECONDS):
            results.append(Built(url_name, "busy"))
            continue
        try:
            results.append(_build(url_name, version))
        finally:
            cache.delete(lock)
        _sweep(url_name, version)
    return results


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
