"""CQC files uploaded in the admin are checked and imported in the background
(Django's tasks, run by ``manage.py db_worker``): a national ODS file takes a
minute or more to read, longer than a web request may take behind gunicorn.

The upload is kept in the default storage (``MEDIA_ROOT``, which every instance
and worker shares) under ``UPLOADS``, named at random, until it is imported or
refused. Each task returns what the admin shows: the report as plain values.
"""

import hashlib
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.tasks import task

from .cqc.report import ImportReport, Problem
from .services import cqc_directory_import, cqc_ratings_import

UPLOADS = "cqc-uploads"
IMPORTERS = {
    "directory": cqc_directory_import,
    "ratings": cqc_ratings_import,
}
REPORT_FIELDS = [
    "kind",
    "file_name",
    "dry_run",
    "added",
    "updated",
    "unchanged",
    "deregistered",
    "outside_regions",
    "not_social_care",
    "run_id",
]


def report_values(report: ImportReport) -> dict:
    """The report as a task's return value (plain values only)."""
    return {
        **{name: getattr(report, name) for name in REPORT_FIELDS},
        "produced_on": report.produced_on.isoformat() if report.produced_on else None,
        "problems": [
            {"reason": p.reason, "row": p.row, "column": p.column}
            for p in report.problems
        ],
    }


def report_from(values: dict) -> ImportReport:
    """The report again, from ``report_values``."""
    produced_on = values.get("produced_on")
    return ImportReport(
        **{name: values[name] for name in REPORT_FIELDS},
        produced_on=date.fromisoformat(produced_on) if produced_on else None,
        problems=[Problem(**problem) for problem in values["problems"]],
    )


def sha256_of(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _run(stored: dict, *, dry_run: bool) -> ImportReport:
    user = get_user_model().objects.get(pk=stored["user"])
    produced_on = stored["produced_on"]
    with default_storage.open(stored["file"], "rb") as handle:
        return IMPORTERS[stored["which"]](
            file=handle,
            file_name=stored["name"],
            user=user,
            dry_run=dry_run,
            produced_on=date.fromisoformat(produced_on) if produced_on else None,
        )


def _unchanged(stored: dict) -> bool:
    return (
        default_storage.exists(stored["file"])
        and sha256_of(stored["file"]) == stored["sha256"]
    )


def _gone(stored: dict) -> dict:
    report = ImportReport(file_name=stored["name"], dry_run=True)
    report.problem(
        "The upload has changed or is gone (imported already?): upload it again."
    )
    return report_values(report)


@task
def check_cqc_file(*, stored: dict) -> dict:
    """A dry run of the import: what confirming would do, or every problem. A
    refused file is not kept."""
    if not _unchanged(stored):
        return _gone(stored)
    report = _run(stored, dry_run=True)
    if report.has_errors:
        default_storage.delete(stored["file"])
    return report_values(report)


@task
def import_cqc_file(*, stored: dict) -> dict:
    """The import for real, all or nothing; the upload is removed either way."""
    if not _unchanged(stored):
        return _gone(stored)
    try:
        return report_values(_run(stored, dry_run=False))
    finally:
        default_storage.delete(stored["file"])
