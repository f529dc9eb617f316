"""Shared by bench/load.py and bench/faults.py: the portal under gunicorn, and clients.

``portal(database_url)`` prepares the database (migrate, demo data), collects the
static files and runs gunicorn on loopback with the production settings, the shared
cache in Redis and PostgreSQL; ``run_clients`` drives it with concurrent clients for
a bounded time and returns every request's outcome.
"""

import contextlib
import http.client
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

# A mix of what visitors ask for: pages, searches and filters, downloads.
PAGES = [
    "/",
    "/councils/",
    "/councils/county-durham/",
    "/councils/gateshead/quality-of-provision/",
    "/compare/vision/",
    "/opportunities/",
    "/opportunities/?q=care",
    "/opportunities/?council=county-durham&sort=commencement",
    "/opportunities/download.csv",
    "/opportunities/arrangements/",
    "/services/",
    "/services/?council=county-durham",
    "/quality/gateshead/",
    "/healthz",
]


def production_env(database_url: str, redis_url: str) -> dict:
    env = os.environ | {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "CACHE_URL": redis_url,
        # Plain HTTP on loopback: no proxy in front to terminate TLS.
        "SECURE_SSL_REDIRECT": "off",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    return env


def ensure_database(database_url: str) -> None:
    """Create the benchmark's database if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(database_url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"]))
            )


def manage(*args, env):
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=600
    )


@contextlib.contextmanager
def portal(
    database_url: str,
    redis_url: str,
    port: int,
    workers: int,
    threads: int | None,
    extra_env: dict | None = None,
    prepare: bool = True,
):
    """gunicorn serving the portal; yields (host, port, process).

    ``threads``: gthread workers with that many threads each; ``None``: sync
    workers, as ``scripts/serve`` runs in production (one request at a time per
    worker, no keep-alive, so the kernel hands each new connection to a free
    worker).
    """
    env = production_env(database_url, redis_url) | (extra_env or {})
    if prepare:
        ensure_database(database_url)
        manage("migrate", "--no-input", "-v", "0", env=env)
        # Demo accounts are development-only: load the content without them.
        manage("load_demo_data", "-v", "0", env=env)
        manage("collectstatic", "--no-input", "-v", "0", env=env)
    process = subprocess.Popen(
        [
            GUNICORN,
            "mps_portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *(
                ["--worker-class", "sync"]
                if threads is None
                else ["--worker-class", "gthread", "--threads", str(threads)]
            ),
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port)
        yield "127.0.0.1", port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def wait_until_up(port: int, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if get(port, "/healthz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


@dataclass
class Outcome:
    path: str
    started: float  # seconds since the run began
    seconds: float
    status: int  # 0 when the connection itself failed
    error: str = ""


def run_clients(
    port: int, clients: int, duration: float, pages=PAGES, on_tick=None
) -> list[Outcome]:
    """``clients`` threads, each asking for the pages in turn (offset so they
    spread), with a keep-alive connection each, until ``duration`` seconds."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    start = time.monotonic()
    stop_at = start + duration

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = index
        while time.monotonic() < stop_at:
            path = pages[n % len(pages)]
            n += 1
            began = time.monotonic()
            status, error = 0, ""
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            ended = time.monotonic()
            with lock:
                outcomes.append(
                    Outcome(path, began - start, ended - began, status, error)
                )
        connection.close()

    threads = [
        threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    if on_tick is not None:
        on_tick(start, stop_at)
    for thread in threads:
        thread.join(timeout=duration + 60)
    return outcomes


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def failed(outcome: Outcome) -> bool:
    return outcome.status == 0 or outcome.status >= 500


def print_table(outcomes: list[Outcome]) -> None:
    baseline = percentile(
        [o.seconds for o in outcomes if o.path == "/healthz" and not failed(o)], 0.95
    )
    heading = f"{'n':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p95/healthz':>11}"
    print(f"{'path':58} {heading}")
    for path in dict.fromkeys(o.path for o in outcomes):
        rows = [o for o in outcomes if o.path == path]
        times = [o.seconds for o in rows]
        p95 = percentile(times, 0.95)
        print(
            f"{path:58} {len(rows):6d} {sum(map(failed, rows)):6d} "
            f"{percentile(times, 0.5) * 1000:8.1f} {p95 * 1000:8.1f} "
            f"{p95 / baseline:11.1f}"
        )
    times = [o.seconds for o in outcomes]
    print(
        f"{'all':58} {len(outcomes):6d} {sum(map(failed, outcomes)):6d} "
        f"{percentile(times, 0.5) * 1000:8.1f} {percentile(times, 0.95) * 1000:8.1f} "
        f"{percentile(times, 0.95) / baseline:11.1f}"
    )


def default_database_url() -> str:
    return os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mps_bench"
    )


def exit_with(ok: bool) -> None:
    sys.exit(0 if ok else 1)
