"""Importing CQC's files into the care services directory, all or nothing.

``cqc_directory_import`` reads CQC's care directory CSV; ``cqc_ratings_import`` reads
the care directory with filters (HSCA active locations) or the latest ratings file,
as ODS or CSV. Both match services by CQC location ID, add the locations in the
portal's regions that are new, skip (and count) rows elsewhere, and either write
everything or nothing and list every problem. The steps are in ``providers/cqc/``.
"""

from datetime import date

from councils.audit import record_event
from councils.bulk import cycle_collection_paused
from councils.models import AuditEntry

from .cqc.directory import directory_records
from .cqc.places import Places
from .cqc.ratings import READERS
from .cqc.reading import NotACqcFile, open_table
from .cqc.report import ImportReport
from .cqc.writing import record_run, save_records
from .models import CqcImport

Kind = CqcImport.Kind
# Files that list every location on CQC's register: a service missing from one has
# left the register. The latest ratings file lists only rated locations.
REGISTERS = {Kind.DIRECTORY, Kind.ACTIVE_LOCATIONS}


def cqc_file_import(
    *,
    file,
    file_name: str,
    kinds: set[str],
    user=None,
    dry_run: bool = False,
    produced_on: date | None = None,
    run_by: str = "",
) -> ImportReport:
    """Import one of CQC's files of the given kinds; the report says what happened
    (or would, with ``dry_run``) or why nothing was imported.

    Every run that imports, and every refusal (previews included), is listed
    under CQC file imports with its problems' rows, columns and reasons. A real
    run is in the audit trail too: each service added or changed under its
    council, and the import itself (refused ones too) for administrators.
    ``run_by`` names who ran a command without a ``user``
    (``councils.audit.command_line_user()``).
    """
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    with cycle_collection_paused():
        records = _read(file, report=report, kinds=kinds, produced_on=produced_on)
        if report.has_errors:
            # Refused: nothing is written, but the attempt and its reasons are kept.
            record_run(report, user=user)
        else:
            save_records(
                records,
                report=report,
                register=report.kind in REGISTERS,
                user=user,
                run_by=run_by,
            )
    if not dry_run:
        record_event(
            user=user,
            run_by=run_by,
            council=None,
            action=(
                AuditEntry.Action.IMPORT_REFUSED
                if report.has_errors
                else AuditEntry.Action.IMPORTED
            ),
            object_repr=f"CQC file {file_name}",
            changes={
                "added": report.added,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "deregistered": report.deregistered,
                "problems": len(report.problems),
            },
            message="\n".join(map(str, report.problems[:20])),
        )
    return report


def _read(file, *, report: ImportReport, kinds, produced_on) -> dict:
    """The file's location records; problems go in the report."""
    file_name = report.file_name
    try:
        table = open_table(file, file_name=file_name, expected=kinds)
    except NotACqcFile as error:
        report.problem(str(error))
        return {}
    except (OSError, UnicodeDecodeError) as error:
        report.problem(f"{file_name} cannot be read ({error})")
        return {}
    report.kind = table.kind
    report.produced_on = produced_on or table.produced_on
    reader = directory_records if table.kind == Kind.DIRECTORY else READERS[table.kind]
    try:
        records = reader(table, report=report, places=Places())
    except NotACqcFile as error:
        report.problem(str(error))
        return {}
    except (OSError, UnicodeDecodeError) as error:
        report.problem(f"{file_name} cannot be read ({error})")
        return {}
    if report.produced_on is None:
        report.problem(
            f"{file_name} does not say when CQC produced it: give the date the file "
            "was produced (CQC's download page shows it)"
        )
    return records


def cqc_directory_import(*, file, file_name: str, **options) -> ImportReport:
    """Import CQC's care directory CSV."""
    return cqc_file_import(
        file=file, file_name=file_name, kinds={Kind.DIRECTORY}, **options
    )


def cqc_ratings_import(*, file, file_name: str, **options) -> ImportReport:
    """Import CQC's care directory with filters or latest ratings file."""
    return cqc_file_import(
        file=file,
        file_name=file_name,
        kinds={Kind.ACTIVE_LOCATIONS, Kind.LATEST_RATINGS},
        **options,
    )
