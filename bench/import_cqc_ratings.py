"""Benchmark: importing a national-size CQC latest ratings file vs plain bulk writes.

It generates a latest ratings file in CQC's shape (default 60,000 locations and
330,000 rows, one in ten locations in the North East), as CSV or ODS, then in
separate child processes (so each peak RSS is its own):

- baseline: a plain hand-written import with no checks: read the file with the same
  reader, keep the North East's adult social care rows, build one ``CareService`` per
  location and ``bulk_create`` them; then the same for the changed file with
  ``bulk_update`` of the rated fields (a bulk upsert: the conditional unique index
  on the location ID rules out ``update_conflicts``). Reading is inside the timer
  on both sides, so the ratio is the cost of the import's checks, England's
  counts, diffing and history;
- same rows: for new services, the rows the import writes, by plain bulk writes:
  the services, their site search documents (``search.index_queryset``) and their
  audit entries (``bulk_create``), in one transaction;
- import: ``cqc_ratings_import`` (the admin's and the command's code path) on the
  whole file: reading all 330,000 rows, checking every cell, skipping other
  regions, England's counts, then writing. Run three times: new services, changed
  ratings (updates and past ratings kept), and the same file again (unchanged).

Baseline and import take turns ``--repeat`` times (default 3) and the fastest time
of each phase is kept, so a burst of load from other work on the machine does not
decide the ratio. Both children first load the URL configuration, as a running
portal has (``started_like_the_portal``). It prints seconds, rows/s, the ratio of
import to baseline time in the same run (<= 1.0 means the import is at least as
fast) and the highest peak RSS of each kind of child.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench \\
        .venv/bin/python bench/import_cqc_ratings.py --format csv
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_portal.settings")
    import django

    django.setup()


def councils():
    """The North East and its twelve councils, as CQC's files name them."""
    from councils.models import Council, Region
    from providers.cqc.sample import NORTH_EAST

    region, _ = Region.objects.get_or_create(
        slug="north-east", defaults={"name": "North East", "gss_code": "E12000001"}
    )
    for number, (authority, _district) in enumerate(NORTH_EAST):
        Council.objects.get_or_create(
            name=authority,
            defaults={
                "slug": f"bench-{number}",
                "gss_code": f"E069999{number:02d}",
                "region": region,
            },
        )


def clear():
    from django.db import connection

    from providers.models import CareService, CqcImport, PastRating, Provider

    PastRating.objects.all()._raw_delete("default")
    CareService.service_types.through.objects.all()._raw_delete("default")
    CareService.specialisms.through.objects.all()._raw_delete("default")
    CareService.objects.all()._raw_delete("default")
    Provider.objects.all()._raw_delete("default")
    CqcImport.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE providers_careservice")


def services_from(path: Path):
    """The file's North East locations as CareService objects, as a hand-written
    bulk path would build them (no checks)."""
    from councils.models import Council
    from providers.cqc.cells import parse_rating
    from providers.cqc.reading import open_table
    from providers.models import CareService, CqcImport

    council_ids = dict(Council.objects.values_list("name", "pk"))
    fields = {
        "overall": "rating",
        "safe": "safe_rating",
        "effective": "effective_rating",
        "caring": "caring_rating",
        "responsive": "responsive_rating",
        "well-led": "well_led_rating",
    }
    objects = {}
    with path.open("rb") as handle:
        table = open_table(
            handle, file_name=path.name, expected={CqcImport.Kind.LATEST_RATINGS}
        )
        at = {name: i for i, name in enumerate(table.header)}
        for _line, row in table.rows:
            if (
                row[at["location region"]] != "North East"
                or row[at["location primary inspection category"]] == "GP Practices"
            ):
                continue
            location_id = row[at["location id"]]
            service = objects.get(location_id)
            if service is None:
                service = objects[location_id] = CareService(
                    cqc_location_id=location_id,
                    council_id=council_ids[row[at["location local authority"]]],
                    name=row[at["location name"]],
                    postcode=row[at["location post code"]],
                    care_home=row[at["care home?"]] == "Y",
                )
            rating = parse_rating(row[at["latest rating"]])
            setattr(service, fields[row[at["domain"]].lower()], rating)
    return list(objects.values())


def started_like_the_portal():
    """What a running portal has done before any import from the admin: its URL
    configuration is loaded (the import reverses a service's URL once; the first
    reverse() in a process loads every URL pattern, about 0.1 s, which a command
    run pays once and the admin's upload never)."""
    from django.urls import reverse

    reverse("healthz")


def child_baseline(path: Path, changed_path: Path) -> dict:
    from providers.models import CareService

    started_like_the_portal()
    councils()
    clear()
    started = time.perf_counter()
    objects = services_from(path)
    CareService.objects.bulk_create(objects, batch_size=500)
    created = time.perf_counter() - started
    ids = dict(CareService.objects.values_list("cqc_location_id", "pk"))
    started = time.perf_counter()
    changed = services_from(changed_path)
    for service in changed:
        service.pk = ids[service.cqc_location_id]
    CareService.objects.bulk_update(
        changed,
        [
            "rating",
            "safe_rating",
            "effective_rating",
            "caring_rating",
            "responsive_rating",
            "well_led_rating",
        ],
        batch_size=500,
    )
    updated = time.perf_counter() - started
    clear()
    return {
        "services": len(objects),
        "bulk_create_s": created,
        "bulk_update_s": updated,
        "rss_peak_mb": peak_rss_mb(),
    }


def child_same_rows(path: Path, changed_path: Path) -> dict:
    """The same rows as the import writes for new services, by plain bulk writes:
    the services (``bulk_create``), each service's site search document (the
    portal's standard bulk indexing, ``search.index_queryset``, which reads the
    services back) and each service's audit entry with its values
    (``AuditEntry.objects.bulk_create``), in one transaction as the import."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from councils import search
    from councils.models import AuditEntry, SearchDocument
    from providers.models import CareService

    started_like_the_portal()
    councils()
    clear()
    content_type = ContentType.objects.get_for_model(CareService)
    fields = [
        f
        for f in CareService._meta.concrete_fields
        if not f.primary_key and f.name not in ("imported_at", "rating_recorded_at")
    ]

    def plain(field, service):
        value = getattr(service, field.attname)
        return value if isinstance(value, bool | int | float | str) else str(value)

    started = time.perf_counter()
    objects = services_from(path)
    with transaction.atomic():
        CareService.objects.bulk_create(objects, batch_size=500)
        services = CareService.objects.exclude(cqc_location_id="")
        search.index_queryset("service", services)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    username="bench",
                    council_id=service.council_id,
                    action=AuditEntry.Action.ADDED,
                    content_type=content_type,
                    object_id=str(service.pk),
                    object_repr=f"{service.name} ({service.cqc_location_id})",
                    changes={
                        field.attname: {"from": None, "to": plain(field, service)}
                        for field in fields
                        if getattr(service, field.attname) not in (None, "")
                    },
                    message=f"Latest ratings import: {path.name}",
                )
                for service in services
            ],
            batch_size=500,
        )
    seconds = time.perf_counter() - started
    SearchDocument.objects.filter(kind="service")._raw_delete("default")
    AuditEntry.objects.all()._raw_delete("default")
    clear()
    return {"same_rows_s": seconds, "rss_peak_mb": peak_rss_mb()}


def child_import(path: Path, changed_path: Path) -> dict:
    from providers.services import cqc_ratings_import

    started_like_the_portal()
    councils()
    clear()
    timings = {}
    for phase, file in (
        ("new", path),
        ("changed", changed_path),
        ("same", changed_path),
    ):
        started = time.perf_counter()
        with file.open("rb") as handle:
            report = cqc_ratings_import(file=handle, file_name=path.name)
        timings[f"{phase}_s"] = time.perf_counter() - started
        assert not report.has_errors, report.problems[:5]
        timings[f"{phase}_counts"] = [report.added, report.updated, report.unchanged]
    clear()
    return {**timings, "rss_peak_mb": peak_rss_mb()}


def run_child(*args) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", *map(str, args)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def fastest(runs: list[dict]) -> dict:
    """Each timing's minimum over the runs, the highest peak RSS, the rest as in
    the first run."""
    result = dict(runs[0])
    for key in runs[0]:
        if key.endswith("_s"):
            result[key] = min(r[key] for r in runs)
        elif key == "rss_peak_mb":
            result[key] = max(r[key] for r in runs)
    return result


def changed_copy(path: Path, folder: Path) -> Path:
    """The same file with every North East location's ratings changed."""
    setup_django()
    from providers.cqc.sample import write_latest_ratings

    changed = folder / f"changed{path.suffix}"
    write_latest_ratings(changed, locations=ARGS.locations, ratings_seed=2)
    return changed


def main():
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        setup_django()
        from django.core.management import call_command
        from django.db import connection

        from providers.cqc.sample import write_latest_ratings

        call_command("migrate", verbosity=0)
        path = folder / f"01_November_2025_Latest_ratings.{ARGS.format}"
        started = time.perf_counter()
        rows = write_latest_ratings(path, locations=ARGS.locations)
        print(
            f"{connection.vendor}: generated {path.name}: {ARGS.locations:,} "
            f"locations, {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - started:.1f} s"
        )
        changed = changed_copy(path, folder)
        # Baseline and import take turns, ARGS.repeat times each, and each phase's
        # fastest time is kept: on a shared machine the load changes from one
        # minute to the next, and the fastest run is the least disturbed.
        baselines, same_rows, imports = [], [], []
        for _ in range(ARGS.repeat):
            baselines.append(run_child("baseline", path, changed))
            same_rows.append(run_child("same-rows", path, changed))
            imports.append(run_child("import", path, changed))
        baseline = fastest(baselines)
        baseline["same_rows_s"] = fastest(same_rows)["same_rows_s"]
        imported = fastest(imports)
        print(f"North East services written: {baseline['services']:,}")
        print(
            f"baseline bulk_create: {baseline['bulk_create_s']:.2f} s; "
            f"bulk_update: {baseline['bulk_update_s']:.2f} s; "
            f"peak RSS {baseline['rss_peak_mb']:.0f} MB"
        )
        print(
            "baseline with the same rows as the import (services, their search "
            f"documents and audit entries): {baseline['same_rows_s']:.2f} s"
        )
        for phase, against in (
            ("new", "bulk_create_s"),
            ("changed", "bulk_update_s"),
            ("same", "bulk_update_s"),
        ):
            seconds = imported[f"{phase}_s"]
            added, updated, unchanged = imported[f"{phase}_counts"]
            print(
                f"import ({phase}): {seconds:.2f} s for {rows:,} rows "
                f"({rows / seconds:,.0f} rows/s; {added} added, {updated} updated, "
                f"{unchanged} unchanged); ratio to baseline "
                f"{seconds / baseline[against]:.2f}"
                + (
                    f", to the same rows {seconds / baseline['same_rows_s']:.2f}"
                    if phase == "new"
                    else ""
                )
            )
        print(f"import peak RSS {imported['rss_peak_mb']:.0f} MB (limit 300 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=["csv", "ods"], default="csv")
    parser.add_argument("--locations", type=int, default=60_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="Runs of the baseline and of the import, taking turns; the fastest of "
        "each is reported.",
    )
    parser.add_argument("--child", nargs="*")
    ARGS = parser.parse_args()
    if ARGS.child:
        setup_django()
        kind, *paths = ARGS.child
        child = {
            "baseline": child_baseline,
            "same-rows": child_same_rows,
            "import": child_import,
        }[kind]
        result = child(Path(paths[0]), Path(paths[1]))
        print(json.dumps(result))
    else:
        main()
