"""Load test: 50 concurrent clients for 2 minutes against gunicorn on loopback.

Runs the portal with the production settings (PostgreSQL, Redis as the shared
cache) under gunicorn on 127.0.0.1, then drives it with concurrent clients, each
with a keep-alive connection, over a mix of pages, searches, filters and downloads
(``portal_server.PAGES``). It prints, per path, requests, errors (5xx or a failed
connection), p50 and p95, and p95 as a ratio to ``/healthz`` measured in the same
run (one query, no template: the cost of the stack itself). Any error fails it.

The rate limits are raised for this run (all clients share one address); a second
phase then restarts gunicorn with the default limits and checks that 31 download
requests, spread over the workers on new connections, get 30 answers and then 429:
the count is shared through Redis, not kept per worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench \\
        .venv/bin/python bench/load.py --clients 50 --duration 120 --port 8215
"""

import argparse
import os

from portal_server import (
    default_database_url,
    exit_with,
    failed,
    get,
    portal,
    print_table,
    run_clients,
)

NO_LIMITS = {
    name: "1000000"
    for name in (
        "RATE_LIMIT_SEARCH",
        "RATE_LIMIT_DOWNLOADS",
        "RATE_LIMIT_SUBSCRIPTION",
        "RATE_LIMIT_LOGIN",
    )
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--port", type=int, default=8215)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("CACHE_URL")
        or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
    )
    args = parser.parse_args()
    database_url = default_database_url()

    print(
        f"{args.clients} clients for {args.duration:.0f} s, gunicorn "
        f"{args.workers} workers x {args.threads} threads, {database_url}"
    )
    with portal(
        database_url, args.redis_url, args.port, args.workers, args.threads, NO_LIMITS
    ):
        outcomes = run_clients(args.port, args.clients, args.duration)
    print_table(outcomes)
    errors = [o for o in outcomes if failed(o)]
    for outcome in errors[:10]:
        print(f"  error: {outcome.path} {outcome.status} {outcome.error}")
    print(f"{len(outcomes) / args.duration:.0f} requests/s, {len(errors)} errors")

    with portal(
        database_url,
        args.redis_url,
        args.port,
        args.workers,
        args.threads,
        {"RATE_LIMIT_DOWNLOADS": "30", "RATE_LIMIT_WINDOW_SECONDS": "600"},
        prepare=False,
    ):
        statuses = [
            get(args.port, "/opportunities/download.json")[0] for _ in range(31)
        ]
    shared = statuses[:30] == [200] * 30 and statuses[30] == 429
    print(
        "Rate limit shared across workers: "
        f"{statuses.count(200)} x 200 then {statuses[30]} "
        f"({'yes' if shared else 'NO'})"
    )
    exit_with(not errors and shared)


if __name__ == "__main__":
    main()
