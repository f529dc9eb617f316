"""Benchmark: loading indicator figures through the import vs plain ``bulk_create``.

A national file: 10 indicators for 153 councils, the 9 English regions and England,
month by month, cut at each size (default 1k, 10k and 100k rows). The benchmark
makes its own councils, regions and indicators first (codes from E06950000 up, so
they never meet the demo's real councils), writes the CSV and its changed copy
(every value different), then in separate child processes (so each peak RSS is
its own):

- baseline: ``bulk_create`` of the same rows as ready-made ``IndicatorValue``
  objects (period, council and region already derived, as ``save()`` would; the
  objects are built outside the timer), then a batched upsert
  (``bulk_create(update_conflicts=True)``) of the changed rows;
- import: ``indicator_figures_import`` (the admin's and the command's code path,
  with the admin's limits) on the file: a preview (dry run), the new rows, the
  changed rows as updates, and the same file again (all unchanged). Reading,
  decoding, validation, scoping and the preview are inside the timings.

Each child first runs its own path once on a 20-row file, so one-off costs of a
new process are left out of both sides alike. It prints rows/s, the ratio of the
import to the baseline in the same run (>= 1.0 means at least as fast) and each
child's peak RSS (flat across sizes means memory does not grow with the file).
With ``--repeat N`` each side runs N times, alternately, and its best times (and
largest RSS) are kept: on a busy machine that compares like with like.

    .venv/bin/python bench/import_indicators.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench \\
        .venv/bin/python bench/import_indicators.py --sizes 1000 10000 100000 --repeat 3

The database is migrated first; the benchmark's own figures are deleted before
and after each measurement. DEBUG is off (as in production) unless set.
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
COUNCILS = 153
REGIONS = [f"E120000{n:02d}" for n in range(1, 10)]
ENGLAND = "E92000001"
INDICATORS = 10
WARM_UP_ROWS = 20
SOURCE = "Benchmark source: made-up figures for timing only"
LINK = "https://www.example.org/bench/figures"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
HEADINGS = ["metric", "area_code", "period", "value", "source", "source_link", "as_at"]


def council_code(n: int) -> str:
    return f"E06{950000 + n:06d}"


def table_rows(size: int, changed: bool):
    areas = [council_code(n) for n in range(COUNCILS)] + REGIONS + [ENGLAND]
    written = 0
    month = 0
    while written < size:
        period = f"{MONTHS[month % 12]} {2010 + month // 12}"
        for indicator in range(INDICATORS):
            for index, area in enumerate(areas):
                value = (month * 7919 + indicator * 104_729 + index * 13) % 100_000
                yield [
                    f"bench-indicator-{indicator}",
                    area,
                    period,
                    f"{value / 10 + (0.5 if changed else 0):.1f}",
                    SOURCE,
                    LINK,
                    "2024-02-01",
                ]
                written += 1
                if written == size:
                    return
        month += 1


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
    # As in production: with DEBUG on, Django keeps every query and its parameters
    # in memory, which would count against both sides' peak RSS.
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def make_areas_and_indicators() -> None:
    """The benchmark's own regions, 153 councils and 10 indicators, made once."""
    from councils.models import Council, Indicator, Region

    regions = {
        code: Region.objects.get_or_create(
            gss_code=code,
            defaults={"name": f"Benchmark region {code}", "slug": f"bench-{code}"},
        )[0]
        for code in REGIONS
    }
    Council.objects.bulk_create(
        [
            Council(
                name=f"Benchmark council {n}",
                slug=f"bench-council-{n}",
                gss_code=council_code(n),
                region=regions[REGIONS[n % len(REGIONS)]],
            )
            for n in range(COUNCILS)
        ],
        ignore_conflicts=True,
    )
    Indicator.objects.bulk_create(
        [
            Indicator(
                name=f"Benchmark indicator {n}",
                slug=f"bench-indicator-{n}",
                definition="Made up for the benchmark.",
                topic=Indicator.Topic.DEMAND,
                unit=Indicator.Unit.COUNT,
                frequency=Indicator.Frequency.MONTHLY,
            )
            for n in range(INDICATORS)
        ],
        ignore_conflicts=True,
    )


def clear() -> None:
    from django.db import connection

    from councils.models import IndicatorImport, IndicatorValue

    IndicatorValue.objects.filter(
        indicator__slug__startswith="bench-indicator-"
    )._raw_delete("default")
    IndicatorImport.objects.filter(file_name__startswith="bench-").delete()
    if connection.vendor == "postgresql":
        # Dead rows left by the previous run would slow every later lookup.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE councils_indicatorvalue")


def values_from(path: Path):
    """The file's rows as IndicatorValue objects, as a hand-written bulk path
    would build them: what save() derives, derived here."""
    from decimal import Decimal

    from councils.models import Council, Indicator, IndicatorValue, Region
    from councils.periods import read_period

    indicators = dict(Indicator.objects.values_list("slug", "pk"))
    councils = dict(Council.objects.values_list("gss_code", "pk"))
    regions = dict(Region.objects.values_list("gss_code", "pk"))
    periods = {}
    objects = []
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        next(reader)
        for metric, area, period_text, value, source, link, _as_at in reader:
            period = periods.get(period_text) or periods.setdefault(
                period_text, read_period(period_text)
            )
            objects.append(
                IndicatorValue(
                    indicator_id=indicators[metric],
                    area_code=area,
                    council_id=councils.get(area),
                    region_id=regions.get(area),
                    period=period_text,
                    period_kind=period.kind,
                    period_start=period.start,
                    period_end=period.end,
                    value=Decimal(value),
                    source_name=source,
                    source_url=link,
                    as_at="2024-02-01",
                )
            )
    return objects


def warm_up_files(folder: Path) -> tuple[Path, Path]:
    new_path, changed_path = folder / "bench-warm.csv", folder / "bench-warm-2.csv"
    write_table(new_path, WARM_UP_ROWS, changed=False)
    write_table(changed_path, WARM_UP_ROWS, changed=True)
    return new_path, changed_path


def baseline_writes(new_path: Path, changed_path: Path):
    """Seconds for bulk_create of the new rows, then a batched upsert of the changes."""
    from councils.models import IndicatorValue

    objects = values_from(new_path)
    started = time.perf_counter()
    IndicatorValue.objects.bulk_create(objects, batch_size=1000)
    created = time.perf_counter() - started
    del objects
    changed = values_from(changed_path)
    started = time.perf_counter()
    IndicatorValue.objects.bulk_create(
        changed,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["indicator", "area_code", "period_kind", "period_start"],
        update_fields=["value", "updated_at"],
    )
    upserted = time.perf_counter() - started
    return created, upserted


def child_baseline(size: int, new_path: Path, changed_path: Path) -> dict:
    from councils.models import IndicatorValue

    clear()
    with tempfile.TemporaryDirectory() as folder:
        baseline_writes(*warm_up_files(Path(folder)))
    clear()
    rss_ready = peak_rss_mb()
    created, upserted = baseline_writes(new_path, changed_path)
    stored = IndicatorValue.objects.filter(indicator__slug__startswith="bench-")
    assert stored.count() == size
    clear()
    return {
        "bulk_create_s": created,
        "upsert_s": upserted,
        "rss_start_mb": rss_ready,
        "rss_peak_mb": peak_rss_mb(),
    }


def child_service(size: int, new_path: Path, changed_path: Path) -> dict:
    from councils.models import IndicatorValue
    from councils.services import indicator_figures_import

    clear()
    timings = {}

    def run(key, path, dry_run):
        with path.open("rb") as file:
            started = time.perf_counter()
            report = indicator_figures_import(
                file=file, file_name=path.name, dry_run=dry_run
            )
            timings[key] = time.perf_counter() - started
        assert not report.has_errors, [str(error) for error in report.errors[:3]]
        return report

    with tempfile.TemporaryDirectory() as folder:
        warm_new, warm_changed = warm_up_files(Path(folder))
        run("warm_up", warm_new, dry_run=True)
        run("warm_up", warm_new, dry_run=False)
        run("warm_up", warm_changed, dry_run=False)
    del timings["warm_up"]
    clear()
    rss_ready = peak_rss_mb()

    assert run("preview_new_s", new_path, dry_run=True).new == size
    assert run("new_s", new_path, dry_run=False).new == size
    assert run("update_s", changed_path, dry_run=False).updated == size
    assert run("unchanged_s", changed_path, dry_run=False).unchanged == size
    stored = IndicatorValue.objects.filter(indicator__slug__startswith="bench-")
    assert stored.count() == size
    clear()
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


def best(kept: dict, run: dict) -> dict:
    """The fastest of each timing and the largest of each memory figure so far."""
    if not kept:
        return run
    return {
        key: (min if key.endswith("_s") else max)(kept[key], value)
        for key, value in run.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--child", choices=["baseline", "service"])
    parser.add_argument("--files", type=Path, nargs=2)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="Run each side this many times, alternately, and keep its best times.",
    )
    args = parser.parse_args()

    setup_django()
    if args.child:
        work = child_baseline if args.child == "baseline" else child_service
        print(json.dumps(work(args.sizes[0], *args.files)))
        return

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    make_areas_and_indicators()
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print("rows/s; ratio = import rows/s / baseline rows/s (>= 1.0 is the target)")
    print(
        f"{'rows':>7} | {'bulk_create':>11} {'import new':>10} {'ratio':>5} "
        f"{'+preview':>8} | {'upsert':>7} {'import upd':>10} {'ratio':>5} | "
        f"{'unchanged':>9} | {'RSS base':>8} {'RSS import':>10} (MB)"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            new_path = Path(folder) / f"bench-figures-{size}.csv"
            changed_path = Path(folder) / f"bench-figures-{size}-changed.csv"
            write_table(new_path, size, changed=False)
            write_table(changed_path, size, changed=True)
            # Alternate the two sides, so a busy spell on the machine falls on both.
            base, service = {}, {}
            for _ in range(args.repeat):
                base = best(base, spawn("baseline", size, new_path, changed_path))
                service = best(service, spawn("service", size, new_path, changed_path))
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
                f"processes start at {base['rss_start_mb']:.0f} / "
                f"{service['rss_start_mb']:.0f} MB; '+preview' counts the dry-run "
                "preview and the import together)",
                flush=True,
            )


if __name__ == "__main__":
    main()
