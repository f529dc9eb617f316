"""Processor time and queries per page request, in process, with cProfile on demand.

Sets the portal up as ``bench/read.py`` runs it (``DJANGO_ENV=production``, so
DEBUG is off and the cached template loader is on; Redis as the shared cache; no
rate limits; ``PAGE_CACHE_SECONDS=0``, so every request runs the view, unless
``--cached``, which measures what a page cache hit costs) and calls
its WSGI application directly, as gunicorn would, for each page of
``bench/read.py``'s list. Each page is requested twice to warm up, then ``-n``
times: the table gives the mean, median and least processor time per request of
this process (``time.process_time``: other work on a shared machine moves it far
less than wall-clock time; PostgreSQL's own time is not in it), the wall-clock
mean, the queries of one request (counted on a further request, so counting adds
nothing to the timed ones), the status and bytes, and the health check's median
processor time divided by the page's: what ``bench/read.py``'s
ratio would approach if the workers' processor time were all that counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench_national \\
        .venv/bin/python bench/profile_page.py -n 30
    # One page, profiled: the 40 heaviest functions by their own time.
    DATABASE_URL=... .venv/bin/python bench/profile_page.py --only "tender feed" \\
        --profile --sort tottime --limit 40
    # One profile of every page together (what they share), kept for pstats.
    DATABASE_URL=... .venv/bin/python bench/profile_page.py --combined \\
        --sort tottime --dump /tmp/profiles
    # Any address, not only the list's.
    DATABASE_URL=... .venv/bin/python bench/profile_page.py --path "/councils/?x=1"
"""

import argparse
import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal_server import ROOT, manage, production_env
from read import NO_LIMITS, page_names, pages


def environ(path: str) -> dict:
    """A WSGI environ for a GET of ``path`` from a visitor with no cookies, as
    ``wrk`` sends it."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def request(application, path: str) -> tuple[str, int]:
    """One request through the WSGI application: status line and bytes."""
    status = []
    body = application(
        environ(path), lambda line, headers, exc=None: status.append(line)
    )
    try:
        size = sum(len(chunk) for chunk in body)
    finally:
        if hasattr(body, "close"):
            body.close()  # request_finished, as gunicorn calls it
    return status[0], size


def measure(application, path: str, n: int, profiler=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        request(application, path)
    cpu, wall = [], []
    for _ in range(n):
        started_cpu, started = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        status, size = request(application, path)
        if profiler is not None:
            profiler.disable()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        request(application, path)
    return {
        "cpu": statistics.mean(cpu) * 1000,
        "cpu_median": statistics.median(cpu) * 1000,
        "cpu_min": min(cpu) * 1000,
        "wall": statistics.mean(wall) * 1000,
        "queries": len(queries),
        "status": status.split()[0],
        "bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="timed requests per page")
    parser.add_argument(
        "--only", default="", help="pages whose name has one of these words (a,b)"
    )
    parser.add_argument(
        "--path", action="append", default=[], help="an address to measure instead"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's table per page"
    )
    parser.add_argument(
        "--sort", default="cumulative", help="pstats sort key (cumulative, tottime)"
    )
    parser.add_argument("--limit", type=int, default=30, help="rows of the profile")
    parser.add_argument(
        "--dump", help="also write each profile to DUMP/<page>.prof (for pstats)"
    )
    parser.add_argument(
        "--combined",
        action="store_true",
        help="one profile of every page measured (the costs they share), not one each",
    )
    parser.add_argument(
        "--cached",
        action="store_true",
        help="the page cache on: what a hit costs (the warm-up stores each page)",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/3"),
    )
    args = parser.parse_args()

    database_url = os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mps_perf_bench"
    )
    env = production_env(database_url, args.cache_url) | NO_LIMITS
    env["PAGE_CACHE_SECONDS"] = "3600" if args.cached else "0"
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    # The production storage needs its manifest of hashed names.
    manage("collectstatic", "--no-input", "-v", "0", env=env)
    os.environ.clear()
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mps_portal.settings"
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a line per 400
    if args.path:
        chosen = [("health", "/healthz"), *((path, path) for path in args.path)]
    else:
        chosen = [
            (name, path)
            for name, path in pages(page_names())
            if name == "health" or any(w in name for w in args.only.split(","))
        ]

    print(f"{args.n} requests per page; load average {os.getloadavg()[0]:.2f}")
    print()
    print(
        "| page | CPU ms | median | min | wall ms | queries | status | bytes "
        "| health/page |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    health = None
    profiles = []
    combined = cProfile.Profile() if args.combined else None
    for name, path in chosen:
        profiler = cProfile.Profile() if args.profile and name != "health" else None
        if combined is not None and name != "health":
            profiler = combined
        found = measure(application, path, args.n, profiler)
        if name == "health":
            health = found["cpu_median"]
        print(
            f"| {name} | {found['cpu']:.2f} | {found['cpu_median']:.2f} "
            f"| {found['cpu_min']:.2f} "
            f"| {found['wall']:.2f} | {found['queries']} | {found['status']} "
            f"| {found['bytes']} | {health / found['cpu_median']:.3f} |",
            flush=True,
        )
        if profiler is not None and combined is None:
            profiles.append((name, path, profiler))
    if combined is not None:
        profiles.append(("every page", "combined", combined))
    for name, path, profiler in profiles:
        if args.dump:
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(Path(args.dump) / f"{name.replace(' ', '_')}.prof")
        print(f"\n## {name} ({path}), {args.n} requests\n")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
