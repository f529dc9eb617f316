"""Benchmark: importing tender tables through the service vs plain Django bulk writes.

For each size (default 1k, 10k, 100k rows) it writes a CSV tender table, then in
separate child processes (so each peak RSS is its own):

- baseline: ``bulk_create`` of the same rows as ready-made ``Tender`` objects (date
  windows already derived, object building outside the timer), then a batched upsert
  (``bulk_create(update_conflicts=True)``) of the changed rows;
- service: ``tender_table_import`` (the admin's and the command's code path) on
  the file: a preview (dry run), the new rows, the changed rows as updates, and the
  same file again (all unchanged). Reading, decoding, validation and preview are
  inside the timings.

Each child first runs its own path once on a 20-row table, so that one-off costs of
a new process (Django compiles some validators' regular expressions on first use,
first queries) are left out of both sides' timings alike.

It prints rows/s, the ratio of the service to the baseline in the same run (>= 1.0
means the import is at least as fast), and each child's peak RSS.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench \\
        .venv/bin/python bench/import_tenders.py --sizes 1000 10000 100000

The database is migrated and the benchmark council's tenders are deleted first.
The service runs with raised size limits (the admin's are 5 MB / 10,000 rows).
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNCIL_SLUG = "bench-council"
WARM_UP_ROWS = 20
ACTIVITIES = ["Spring 2025", "Q3 2025", "April 2026", "2025/26", "Q1 2026/27", "TBC"]
COMMENCEMENTS = ["September 2026", "01/04/2027", "Autumn 2026", "2027/28", ""]
HEADINGS = [
    "Reference",
    "Contract Description/Title",
    "Service Area",
    "Description",
    "Procurement activity",
    "New contract commencement",
    "Estimated value (£)",
    "Status",
    "Contact email",
]


def table_rows(size: int, changed: bool):
    suffix = " (revised)" if changed else ""
    for n in range(size):
        yield [
            f"BENCH-{n:06d}",
            f"Home care and support lot {n}{suffix}",
            "Commissioning - Adult Social Care",
            f"Care and support at home for adults in area {n % 40}.",
            ACTIVITIES[(n + changed) % len(ACTIVITIES)],
            COMMENCEMENTS[n % len(COMMENCEMENTS)],
            f"£{(n * 7919) % 1_000_000 + 10_000:,}",  # a different value per row
            "Planned",
            "commissioning@example.org",
        ]


def write_table(path: Path, size: int, changed: bool) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADINGS)
        writer.writerows(table_rows(size, changed))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Child processes -------------------------------------------------------------


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_portal.settings")
    import django

    django.setup()


def council():
    from councils.models import Council, Region

    region, _ = Region.objects.get_or_create(
        slug="north-east", defaults={"name": "North East", "gss_code": "E12000001"}
    )
    found, _ = Council.objects.get_or_create(
        slug=COUNCIL_SLUG,
        defaults={
            "name": "Benchmark Council",
            "gss_code": "E06999999",
            "region": region,
        },
    )
    return found


def clear(bench_council) -> None:
    from django.db import connection

    from tenders.models import ImportRecord, Tender

    Tender.objects.filter(council=bench_council)._raw_delete("default")
    ImportRecord.objects.filter(council=bench_council).delete()
    if connection.vendor == "postgresql":
        # Start each measurement from a clean table: dead rows left by the previous
        # run otherwise slow every later lookup and distort the comparison.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tenders_tender")


def tenders_from(path: Path, bench_council):
    """The file's rows as Tender objects, as a hand-written bulk path would build."""
    from tenders.imports.amounts import parse_money_range
    from tenders.models import Tender

    objects = []
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        next(reader)
        for ref, title, area, desc, activity, start, value, _status, email in reader:
            low, high = parse_money_range(value)
            tender = Tender(
                council=bench_council,
                reference=ref,
                title=title,
                service_area=area,
                description=desc,
                procurement_activity=activity,
                commencement=start,
                value_min=low,
                value_max=high,
                status=Tender.Status.PLANNED,
                contact_email=email,
            )
            tender.derive_date_windows()
            objects.append(tender)
    return objects


def warm_up_files(folder: Path) -> tuple[Path, Path]:
    """A small table and its changed copy, for a warm-up before the timings."""
    new_path, changed_path = folder / "warm-up.csv", folder / "warm-up-changed.csv"
    write_table(new_path, WARM_UP_ROWS, changed=False)
    write_table(changed_path, WARM_UP_ROWS, changed=True)
    return new_path, changed_path


def child_baseline(size: int, new_path: Path, changed_path: Path) -> dict:
    from tenders.models import Tender

    bench_council = council()
    clear(bench_council)
    with tempfile.TemporaryDirectory() as folder:
        warm_new, warm_changed = warm_up_files(Path(folder))
        baseline_writes(bench_council, warm_new, warm_changed)
    clear(bench_council)
    rss_ready = peak_rss_mb()
    created, upserted = baseline_writes(bench_council, new_path, changed_path)
    assert Tender.objects.filter(council=bench_council).count() == size
    clear(bench_council)
    return {
        "bulk_create_s": created,
        "upsert_s": upserted,
        "rss_start_mb": rss_ready,
        "rss_peak_mb": peak_rss_mb(),
    }


def baseline_writes(bench_council, new_path: Path, changed_path: Path):
    """Seconds for bulk_create of the new rows, then a batched upsert of the changes."""
    from tenders.models import Tender

    objects = tenders_from(new_path, bench_council)
    started = time.perf_counter()
    Tender.objects.bulk_create(objects, batch_size=1000)
    created = time.perf_counter() - started
    del objects
    changed = tenders_from(changed_path, bench_council)
    started = time.perf_counter()
    Tender.objects.bulk_create(
        changed,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["council", "reference"],
        update_fields=[
            "title",
            "procurement_activity",
            "procurement_start",
            "procurement_end",
            "updated_at",
        ],
    )
    upserted = time.perf_counter() - started
    return created, upserted


def child_service(size: int, new_path: Path, changed_path: Path) -> dict:
    from councils.reading import ImportLimits
    from tenders.imports.service import tender_table_import
    from tenders.models import Tender

    limits = ImportLimits(max_file_bytes=1 << 30, max_rows=10_000_000)
    bench_council = council()
    clear(bench_council)
    timings = {}

    def run(key, path, dry_run):
        with path.open("rb") as file:
            started = time.perf_counter()
            report = tender_table_import(
                council=bench_council,
                file=file,
                file_name=path.name,
                dry_run=dry_run,
                limits=limits,
            )
            timings[key] = time.perf_counter() - started
        assert not report.has_errors, report.errors[:3]
        return report

    with tempfile.TemporaryDirectory() as folder:
        warm_new, warm_changed = warm_up_files(Path(folder))
        run("warm_up", warm_new, dry_run=True)
        run("warm_up", warm_new, dry_run=False)
        run("warm_up", warm_changed, dry_run=False)
    del timings["warm_up"]
    clear(bench_council)
    rss_ready = peak_rss_mb()

    preview = run("preview_new_s", new_path, dry_run=True)
    assert preview.new == size
    assert run("new_s", new_path, dry_run=False).new == size
    assert run("update_s", changed_path, dry_run=False).updated == size
    assert run("unchanged_s", changed_path, dry_run=False).unchanged == size
    assert Tender.objects.filter(council=bench_council).count() == size
    clear(bench_council)
    return timings | {"rss_start_mb": rss_ready, "rss_peak_mb": peak_rss_mb()}


# Parent ------------------------------------------------------------------------


def spawn(mode: str, size: int, new_path: Path, changed_path: Path) -> dict:
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            mode,
            "--sizes",
            str(size),
            "--files",
            str(new_path),
            str(changed_path),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--child", choices=["baseline", "service"])
    parser.add_argument("--files", type=Path, nargs=2)
    args = parser.parse_args()

    if args.child:
        setup_django()
        work = child_baseline if args.child == "baseline" else child_service
        print(json.dumps(work(args.sizes[0], *args.files)))
        return

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    header = (
        f"{'rows':>7} | {'bulk_create':>11} {'import new':>10} {'ratio':>5} "
        f"{'+preview':>8} | {'upsert':>7} {'import upd':>10} {'ratio':>5} | "
        f"{'unchanged':>9} | {'RSS base':>8} {'RSS import':>10} (MB)"
    )
    print("rows/s; ratio = import rows/s / baseline rows/s (>= 1.0 is the target)")
    print(header)
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            new_path = Path(folder) / f"tenders-{size}.csv"
            changed_path = Path(folder) / f"tenders-{size}-changed.csv"
            write_table(new_path, size, changed=False)
            write_table(changed_path, size, changed=True)
            base = spawn("baseline", size, new_path, changed_path)
            service = spawn("service", size, new_path, changed_path)
            rate = {
                key: size / seconds
                for key, seconds in (base | service).items()
                if key.endswith("_s")
            }
            with_preview = size / (service["new_s"] + service["preview_new_s"])
            print(
                f"{size:>7} | {rate['bulk_create_s']:>11,.0f} {rate['new_s']:>10,.0f} "
                f"{rate['new_s'] / rate['bulk_create_s']:>5.2f} "
                f"{with_preview / rate['bulk_create_s']:>8.2f} | "
                f"{rate['upsert_s']:>7,.0f} {rate['update_s']:>10,.0f} "
                f"{rate['update_s'] / rate['upsert_s']:>5.2f} | "
                f"{rate['unchanged_s']:>9,.0f} | "
                f"{base['rss_peak_mb']:>8.0f} {service['rss_peak_mb']:>10.0f}",
                flush=True,
            )
            print(
                f"{'':>7}   (file {new_path.stat().st_size / 1_048_576:.1f} MB; "
                f"processes start at {service['rss_start_mb']:.0f} MB; "
                f"'+preview' counts the dry-run preview and the import together)",
                flush=True,
            )


if __name__ == "__main__":
    main()
