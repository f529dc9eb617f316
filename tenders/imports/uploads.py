"""Previewed uploads, kept on disk until they are confirmed, and their clean-up.

Each preview that can be confirmed keeps its file in one folder of the system's
temporary directory, readable by this user only. The confirm step reads and
removes it, whatever the import's outcome. Previews that are never confirmed are
removed once their confirm token has expired: by every new preview, and by the
``clean_import_files`` command (for a daily timer).
"""

import os
import tempfile
import time
from pathlib import Path

MAX_AGE_SECONDS = 60 * 60
"""How long a preview can be confirmed; its file is removed after this."""


def upload_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / "mps-tender-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def save_upload(data: bytes) -> str:
    """Keep the file; return the name to confirm it by."""
    with tempfile.NamedTemporaryFile(
        dir=upload_folder(), prefix="preview-", delete=False
    ) as file:
        file.write(data)
    return os.path.basename(file.name)


def _path(name: str) -> Path:
    # The name comes back from a signed token, but is still reduced to a file
    # name in the folder, so it can never point elsewhere.
    return upload_folder() / os.path.basename(name)


def read_upload(name: str) -> bytes | None:
    """The kept file's bytes, or None when it was already used or cleaned up."""
    try:
        return _path(name).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def remove_upload(name: str) -> None:
    _path(name).unlink(missing_ok=True)


def remove_stale_uploads(max_age: int = MAX_AGE_SECONDS, now: float | None = None):
    """Remove kept files older than ``max_age`` seconds; return how many."""
    cutoff = (time.time() if now is None else now) - max_age
    removed = 0
    for path in upload_folder().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile by another worker
            continue
    return removed
