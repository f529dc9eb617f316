"""Direct timing of the downloads streamed from the database, without a web server.

Each download is run in a process of its own (so the peak memory is that
download's): its view is called for a visitor's request with no filters, exactly as
``manage.py build_downloads`` does, and its stream read to the end. For each it
prints the time to the first chunk and in all, the bytes, the queries made, the
rows per second (of the tender and services downloads), the processor time the
process used (which depends little on the machine's load; the database's own is
not in it) and the process's peak
resident memory over what it held before the request. The baseline, measured in
the same run and also in a process of its own, is the database's floor: the same
visible tenders' columns read through a server-side cursor with no Python objects
made (``values_list``), and the ratio of each download's time to it is printed
beside it. With ``--profile`` each download
also prints cProfile's most expensive functions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench_national \\
        .venv/bin/python bench/downloads.py
    DATABASE_URL=... .venv/bin/python bench/downloads.py tenders:tender-list-ocds \\
        --profile

Complete files are neither read nor made (``DOWNLOAD_FILES=off`` in the child).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TENDER_DOWNLOADS = [
    "tenders:tender-list-csv",
    "tenders:tender-list-json",
    "tenders:tender-list-ocds",
]
BASELINE = "baseline"


def _rss() -> int:
    """Resident memory of this process now, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _cpu() -> float:
    """Processor time this process has used (user and system), in seconds: unlike
    the time taken, it hardly depends on what else the machine is doing."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rows(url_name: str) -> int | None:
    """The rows a download has, when known: the visible tenders for the tender
    downloads, the directory's services for theirs; None for the others."""
    if url_name.startswith("tenders:tender-"):
        from tenders.models import Tender

        return Tender.live.visible().count()
    if url_name.startswith("providers:service-list-"):
        from providers.filters import CareServiceFilter
        from providers.models import CareService

        return CareServiceFilter({}, queryset=CareService.objects.public()).qs.count()
    return None


def child(url_name: str, profile: bool, save: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve, reverse

    from tenders.models import Tender

    # Django's own set-up (apps, URL patterns, templates) before the baseline RSS.
    reverse("tenders:tender-list")
    connection.ensure_connection()
    before = _rss()
    cpu_before = _cpu()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    started = time.perf_counter()
    first = None
    size = rows = 0
    with CaptureQueriesContext(connection) as queries:
        if profiler:
            profiler.enable()
        if url_name == BASELINE:
            for row in Tender.live.visible().values_list().iterator(chunk_size=2000):
                if first is None:
                    first = time.perf_counter() - started
                rows += 1
                size += len(row)
        else:
            path = reverse(url_name)
            request = RequestFactory().get(path)
            match = resolve(path)
            request.resolver_match = match
            response = match.func(request, *match.args, **match.kwargs)
            pieces = (
                response.streaming_content if response.streaming else [response.content]
            )
            saved = open(Path(save) / url_name, "wb") if save else None  # noqa: SIM115
            for piece in pieces:
                if first is None:
                    first = time.perf_counter() - started
                size += len(piece)
                if saved:
                    saved.write(piece)
            if saved:
                saved.close()
        if profiler:
            profiler.disable()
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if profiler:
        import pstats

        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    if not rows:
        rows = _rows(url_name)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "first": first or seconds,
                "bytes": size,
                "queries": len(queries),
                "rows": rows,
                "before": before,
                "peak": peak,
            }
        )
    )


def run(url_name: str, profile: bool, save: str | None) -> dict:
    env = os.environ | {
        "DOWNLOAD_FILES": "off",
        "ALLOWED_HOSTS": "testserver",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.run(
        [PYTHON, __file__, "--child", url_name]
        + (["--profile"] if profile else [])
        + (["--save", save] if save else []),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(process.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url_names", nargs="*", default=TENDER_DOWNLOADS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--save", help="a folder to write each download's bytes to")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.profile, args.save)
        return
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(
        "| download | first chunk s | seconds | CPU s | ratio to baseline | rows/s "
        "| bytes "
        "| queries | peak RSS MB | over start MB | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    baseline = None
    for name in [BASELINE, *args.url_names]:
        found = run(name, args.profile and name != BASELINE, args.save)
        if baseline is None:
            baseline = found["seconds"]
        rows_per_second = (
            f"{found['rows'] / found['seconds']:,.0f}" if found["rows"] else "-"
        )
        print(
            f"| {name} | {found['first']:.2f} | {found['seconds']:.2f} | "
            f"{found['cpu']:.2f} | "
            f"{found['seconds'] / baseline:.1f} | "
            f"{rows_per_second} | {found['bytes']:,} | "
            f"{found['queries']} | {found['peak'] / 2**20:.0f} | "
            f"{(found['peak'] - found['before']) / 2**20:.0f} | "
            f"{os.getloadavg()[0]:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
