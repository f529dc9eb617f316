"""Read benchmark: every public page under gunicorn, against /healthz in the same run.

Runs the portal as in production (``DJANGO_ENV=production``, PostgreSQL, Redis as
the shared cache, gunicorn with 2 sync workers on loopback, as ``scripts/serve``
runs it) on a database filled by ``bench/generate.py``, and loads each page with
``wrk`` for a bounded time, right after loading ``/healthz`` for the same time (the
machine is shared, so a ratio taken moments apart is fairer than absolute figures).
For each page it prints requests/s, p50 and p99 (``wrk --latency``), the ratio of
its requests/s to the health check's, the queries one request makes (counted
separately, through Django's test client in a child process, on the second request
so one-off lookups are left out; downloads' query counts are pinned by the test
suite instead) and the bytes and time of one response on an idle server. Each
download is then fetched once in full three ways: with every complete file stale
(streamed from the database), then each complete file is built (``manage.py
build_downloads --force``, in a process of its own: time and that process's peak
memory), then fetched again (sent from the file). Each fetch gives its status, where
it came from (``X-Download-Source``), time to the first byte and in all, bytes and
the peak resident memory of the gunicorn workers while it ran, with the load
average. The machine (cores, memory, PostgreSQL version) is printed first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_perf_bench \\
        .venv/bin/python bench/read.py --port 8103

``--only opportunities`` limits the run to pages whose name contains the word.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from portal_server import PYTHON, ROOT, get, manage, portal, production_env

NO_LIMITS = {
    name: "1000000"
    for name in (
        "RATE_LIMIT_SEARCH",
        "RATE_LIMIT_DOWNLOADS",
        "RATE_LIMIT_SUBSCRIPTION",
        "RATE_LIMIT_LOGIN",
    )
}
WRK = shutil.which("wrk") or "/usr/bin/wrk"
PAGE_CACHE_SECONDS = {"uncached": "0", "cached": "3600"}


def pages(names: dict) -> list[tuple[str, str]]:
    """(name, path) for every page measured, from the data actually there."""
    big = names["biggest_council"]
    listed = [
        ("health", "/healthz"),
        ("home", "/"),
        ("councils", "/councils/"),
        ("council (most tenders)", f"/councils/{big}/"),
        ("section", names["section"]),
        ("compare index", "/compare/"),
        ("compare one heading", "/compare/vision/"),
        ("opportunities", "/opportunities/"),
        (
            "opportunities by council and care",
            f"/opportunities/?council={big}&type_of_care=domiciliary-care",
        ),
        ("opportunities keyword", "/opportunities/?q=dementia"),
        ("opportunities page 2000", "/opportunities/?page=2000"),
        ("opportunities sort procurement", "/opportunities/?sort=procurement"),
        ("opportunities sort commencement", "/opportunities/?sort=commencement"),
        ("opportunities sort newest", "/opportunities/?sort=newest"),
        ("opportunities sort title", "/opportunities/?sort=title"),
        ("tender detail", names["tender"]),
        ("arrangements", "/opportunities/arrangements/"),
        ("directory", "/services/"),
        ("directory filtered", f"/services/?council={big}&rating=good"),
        ("quality overview", "/quality/"),
        ("council quality", f"/quality/{big}/"),
        ("tender feed", "/opportunities/feed/"),
        ("markets", "/markets/"),
        ("market page", "/markets/domiciliary-care/"),
        ("indicators", "/indicators/"),
        ("indicator page", names["indicator"]),
        ("changes", "/changes/"),
    ]
    if names.get("search"):
        listed += [
            ("search", names["search"] + "?q=dementia"),
            ("search phrase", names["search"] + "?q=home+care"),
            ("search three words", names["search"] + "?q=supported+living+durham"),
        ]
    return listed


# (name, path, URL name): every download kept as a complete file.
DOWNLOADS = [
    ("tenders CSV", "/opportunities/download.csv", "tenders:tender-list-csv"),
    ("tenders JSON", "/opportunities/download.json", "tenders:tender-list-json"),
    ("tenders OCDS", "/opportunities/ocds.json", "tenders:tender-list-ocds"),
    (
        "arrangements CSV",
        "/opportunities/arrangements/download.csv",
        "tenders:arrangement-list-csv",
    ),
    (
        "arrangements JSON",
        "/opportunities/arrangements/download.json",
        "tenders:arrangement-list-json",
    ),
    ("services CSV", "/services/download.csv", "providers:service-list-csv"),
    ("services JSON", "/services/download.json", "providers:service-list-json"),
    (
        "indicator figures CSV",
        "/indicators/figures.csv",
        "councils:indicator-figures-csv",
    ),
    ("intentions CSV", "/markets/intentions.csv", "councils:intention-list-csv"),
    ("rates CSV", "/opportunities/rates.csv", "tenders:rate-list-csv"),
    ("quality figures CSV", "/quality/figures.csv", "quality:figures-csv"),
]


# In the child process: names from the data, and queries per request. ---------------


def page_names() -> dict:
    """The addresses ``pages`` needs, from the data (Django set up already)."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from councils.models import Council, Indicator, Section
    from tenders.models import Tender

    biggest = (
        Council.objects.annotate(n=Count("tenders"))
        .order_by("-n", "pk")
        .values_list("slug", flat=True)[0]
    )
    section = Section.live.published().filter(council__slug=biggest).first()
    tender = Tender.live.visible().filter(council__slug=biggest).first()
    try:
        search = reverse("councils:search")
    except NoReverseMatch:
        search = None
    return {
        "biggest_council": biggest,
        "section": section.get_absolute_url(),
        "tender": tender.get_absolute_url(),
        "indicator": Indicator.objects.order_by("position").first().get_absolute_url(),
        "search": search,
    }


def child_measure(paths: list[str] | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if paths is None:
        print(json.dumps(page_names()))
        return
    client = Client(SERVER_NAME="127.0.0.1")
    counts = {}
    for path in paths:
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if response.streaming:
                for _ in response.streaming_content:
                    pass
        counts[path] = len(queries)
    print(json.dumps(counts))


def in_child(env: dict, paths: list[str] | None) -> dict:
    args = [PYTHON, __file__, "--child"]
    if paths is not None:
        args += ["--paths", json.dumps(paths)]
    output = subprocess.run(
        args, cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# wrk and the table ----------------------------------------------------------------


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(port: int, path: str, args) -> dict:
    output = subprocess.run(
        [
            WRK,
            f"-t{args.wrk_threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "30s",
            "--latency",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=args.duration + 60,
    ).stdout

    def latency(percent: str) -> float:
        # wrk prints no distribution when no request finished in time.
        found = re.search(rf"{percent}%\s+([\d.]+(?:us|ms|s|m))\b", output)
        return to_ms(found.group(1)) if found else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    found = {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": 0,
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)
    found["errors"] = int(bad.group(1)) if bad else 0
    found["errors"] += int(timeouts.group(1)) if timeouts else 0
    return found


def page_cache_said(port: int, path: str) -> str:
    """Warm the cached server with one request, then what a second one says
    (``X-Page-Cache``: hit, or miss for a page that is never stored)."""
    with contextlib.suppress(OSError):
        get(port, path, timeout=300)
    try:
        _, _, headers = get(port, path, timeout=300)
    except OSError:
        return "failed"
    return headers.get("x-page-cache") or headers.get("X-Page-Cache") or "not stored"


def median_of(found: list[dict], key: str) -> float:
    return statistics.median(one[key] for one in found)


def rounds_cells(rounds: list[tuple[dict, dict]]) -> str:
    """One page's req/s, p50, p99 and ratio cells from its rounds (each the page's
    wrk figures and the health check's just before): the medians, and with more
    than one round the lowest and highest ratio after the median."""
    pages = [page for page, _ in rounds]
    ratios = [page["rps"] / health["rps"] for page, health in rounds if health["rps"]]
    cells = (
        f"{median_of(pages, 'rps'):.1f} | {median_of(pages, 'p50'):.1f} | "
        f"{median_of(pages, 'p99'):.1f} | "
    )
    if not ratios:
        return cells + "n/a"
    cells += f"{statistics.median(ratios):.4f}"
    if len(ratios) > 1:
        cells += f" ({min(ratios):.4f}-{max(ratios):.4f})"
    return cells


def workers_cpu(master_pid: int) -> int:
    """Processor time (clock ticks) the gunicorn workers of ``master_pid`` used."""
    found = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    ticks = 0
    for pid in found:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def drain(port: int, master_pid: int | None = None) -> None:
    """Wait until requests wrk left queued have been answered, so that the next
    measurement starts on an idle server: a health check answered by one worker
    can overtake another worker's backlog (a heavy page leaves seconds of work),
    so with ``master_pid`` also until the workers have used no processor time
    for a tenth of a second."""
    for _ in range(2):
        with contextlib.suppress(OSError):
            get(port, "/healthz", timeout=600)
    if master_pid is None:
        return
    deadline = time.monotonic() + 60
    used = workers_cpu(master_pid)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = workers_cpu(master_pid)
        if now == used:
            return
        used = now


def workers_rss(master_pid: int) -> int:
    """Resident memory (bytes) of the largest gunicorn worker now."""
    found = subprocess.run(
        ["ps", "-o", "rss=", "--ppid", str(master_pid)],
        capture_output=True,
        text=True,
    ).stdout.split()
    return max((int(kb) * 1024 for kb in found), default=0)


def download(port: int, path: str, master_pid: int) -> dict:
    peak = [workers_rss(master_pid)]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], workers_rss(master_pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    first = size = 0
    source = ""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        first = time.perf_counter() - started
        source = response.getheader("X-Download-Source", "")
        while chunk := response.read(1 << 20):
            size += len(chunk)
        status = response.status
        length = response.getheader("Content-Length")
        if length is not None and int(length) != size:
            status = f"short: {size} of {length} bytes"
    except (OSError, http.client.HTTPException) as error:
        status = f"failed after {size:,} bytes: {error!r}"
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    return {
        "status": status,
        "seconds": seconds,
        "first_byte": first,
        "bytes": size,
        "rss": peak[0],
        "source": source,
    }


def build(env: dict, url_name: str) -> dict:
    """``manage.py build_downloads --force`` for one download, in a process of its
    own: its time, what it says, and the process's peak resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "build_downloads", "--force", url_name],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    output = process.stdout.read().strip()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "ok": process.returncode == 0,
        "seconds": time.perf_counter() - started,
        "said": output.splitlines()[-1] if output else "(nothing)",
        "rss": usage.ru_maxrss * 1024,  # kilobytes on Linux
    }


def download_table(title: str, port: int, master_pid: int) -> None:
    print()
    print(title)
    print()
    print(
        "| download | path | status | source | first byte s | seconds | bytes "
        "| worker peak RSS MB | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, path, _ in DOWNLOADS:
        drain(port)
        found = download(port, path, master_pid)
        print(
            f"| {name} | `{path}` | {found['status']} | {found['source']} | "
            f"{found['first_byte']:.2f} | {found['seconds']:.2f} | "
            f"{found['bytes']:,} | {found['rss'] / 1024 / 1024:.0f} | "
            f"{os.getloadavg()[0]:.1f} |",
            flush=True,
        )


def machine(env: dict) -> str:
    import psycopg

    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        # What the search and the big pages' timings depend on most: how much of
        # the tables PostgreSQL keeps in its own memory (the default is 128 MB).
        buffers = connection.execute("SHOW shared_buffers").fetchone()[0]
        work_mem = connection.execute("SHOW work_mem").fetchone()[0]
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM councils_council), "
            "(SELECT count(*) FROM tenders_tender), "
            "(SELECT count(*) FROM providers_careservice)"
        ).fetchone()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory / 1024 / 1024:.1f} GB memory, "
        f"{platform.system()} {platform.release()}, PostgreSQL {version} "
        f"(shared_buffers {buffers}, work_mem {work_mem}), "
        f"Python {platform.python_version()}; data: {counts[0]} councils, "
        f"{counts[1]} tenders, {counts[2]} care services"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--paths", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="gthread workers with this many threads each; by default sync workers, "
        "as scripts/serve runs in production. With gthread, each worker takes every "
        "connection it can and keeps it alive, so wrk's 16 connections can end up "
        "mostly on one worker while the other idles (a page measured at half its "
        "throughput in about half the runs)",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure each page this many times, each time right after the health "
        "check, and give the medians (the ratio: the median of the rounds' ratios, "
        "with their lowest and highest); on a shared machine one round's ratio "
        "moves by a quarter either way",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--only", default="", help="pages whose name has one of these words (a,b)"
    )
    parser.add_argument(
        "--page-cache",
        choices=["both", "uncached", "cached"],
        default="both",
        help="measure each page with the page cache off (PAGE_CACHE_SECONDS=0), on "
        "(a second server on --port + 1, warmed by one request), or both side by side",
    )
    parser.add_argument("--no-downloads", action="store_true")
    parser.add_argument(
        "--no-streamed",
        action="store_true",
        help="skip fetching the downloads as streamed before their files are built",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("CACHE_URL")
        or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
    )
    args = parser.parse_args()
    if args.child:
        child_measure(json.loads(args.paths) if args.paths else None)
        return

    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mps_perf_bench"
    )
    # Query counts are taken with the page cache off (a hit makes a few queries).
    env = production_env(database_url, args.redis_url) | NO_LIMITS
    env["PAGE_CACHE_SECONDS"] = "0"
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    # The complete download files name the portal as it is reached here.
    env["SITE_URL"] = f"http://127.0.0.1:{args.port}"
    manage("collectstatic", "--no-input", "-v", "0", env=env)
    names = in_child(env, None)
    chosen = [
        (name, path)
        for name, path in pages(names)
        if any(word in name for word in args.only.split(",")) or name == "health"
    ]
    downloads = [] if args.no_downloads else DOWNLOADS
    queries = in_child(env, [p for _, p in chosen])

    print(machine(env))
    modes = ["uncached", "cached"] if args.page_cache == "both" else [args.page_cache]
    print(
        f"gunicorn {args.workers} "
        + (
            "sync workers (as scripts/serve)"
            if args.threads is None
            else f"gthread workers ({args.threads} threads each)"
        )
        + f", timeout 30 s; wrk "
        f"-t{args.wrk_threads} -c{args.connections} -d{args.duration}s --latency, "
        + (
            "health measured just before each page; "
            if args.rounds <= 1
            else f"{args.rounds} rounds per page, each right after the health check "
            "(medians; the ratio's lowest and highest in brackets); "
        )
        + " and ".join(
            f"{mode}: a server with PAGE_CACHE_SECONDS={PAGE_CACHE_SECONDS[mode]}"
            for mode in modes
        )
    )
    print()
    heading = "| page | path | health req/s |"
    rule = "|---|---|---|"
    for mode in modes:
        heading += f" {mode} req/s | p50 ms | p99 ms | ratio |"
        rule += "---|---|---|---|"
    heading += " cache | queries | bytes | one request ms | errors |"
    rule += "---|---|---|---|---|"
    print(heading)
    print(rule)
    with contextlib.ExitStack() as servers:
        ports, masters = {}, {}
        for number, mode in enumerate(modes):
            _, ports[mode], process = servers.enter_context(
                portal(
                    database_url,
                    args.redis_url,
                    args.port + number,
                    args.workers,
                    args.threads,
                    NO_LIMITS | {"PAGE_CACHE_SECONDS": PAGE_CACHE_SECONDS[mode]},
                    False,
                )
            )
            masters[mode] = process.pid
            if number == 0:
                port, master = ports[mode], process
        for name, path in chosen:
            for mode in modes:
                drain(ports[mode], masters[mode])
            started = time.perf_counter()
            try:
                status, body, _ = get(port, path, timeout=300)
            except OSError as error:
                status, body = f"failed: {error}", b""
            alone = (time.perf_counter() - started) * 1000
            drain(port, masters[modes[0]])
            errors = 0 if status == 200 else 1
            cache_said = "off"
            if "cached" in modes:
                cache_said = page_cache_said(ports["cached"], path)
            healths, measured = [], {mode: [] for mode in modes}
            for _ in range(max(args.rounds, 1)):
                health = wrk(port, "/healthz", args)
                healths.append(health)
                for mode in modes:
                    page = wrk(ports[mode], path, args) if name != "health" else health
                    errors += page["errors"]
                    measured[mode].append((page, health))
                    drain(ports[mode], masters[mode])
            row = f"| {name} | `{path}` | {median_of(healths, 'rps'):.0f} |"
            for mode in modes:
                row += f" {rounds_cells(measured[mode])} |"
            print(
                f"{row} {cache_said} | {queries[path]} | {len(body):,} | {alone:.0f} | "
                f"{errors if errors else ''}"
                f"{'' if status == 200 else f' (status {status})'} |",
                flush=True,
            )
        process = master
        if downloads:
            # Every complete file stale: the first pass streams from the database.
            manage("expire_cached_pages", env=env)
            if not args.no_streamed:
                download_table(
                    "Downloads with no current complete file (streamed from the "
                    "database):",
                    port,
                    process.pid,
                )
            print()
            print(
                "Each complete file built (`manage.py build_downloads --force`, "
                "process peak RSS), then fetched (served from the file):"
            )
            print()
            print(
                "| download | build says | build s | build peak RSS MB | status "
                "| source | first byte s | seconds | bytes | worker peak RSS MB "
                "| load |"
            )
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for name, path, url_name in DOWNLOADS:
                built = build(env, url_name)
                drain(port)
                found = download(port, path, process.pid)
                print(
                    f"| {name} | {built['said']}{'' if built['ok'] else ' (FAILED)'}"
                    f" | {built['seconds']:.1f} | {built['rss'] / 1024 / 1024:.0f} | "
                    f"{found['status']} | {found['source']} | "
                    f"{found['first_byte']:.2f} | {found['seconds']:.2f} | "
                    f"{found['bytes']:,} | {found['rss'] / 1024 / 1024:.0f} | "
                    f"{os.getloadavg()[0]:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
