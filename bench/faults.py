"""Fault tests against gunicorn on loopback: database connections killed, database down.

Two scenarios, each bounded in time, each printing what the clients saw:

``kill``: concurrent clients load the portal (production settings, persistent
database connections with health checks); part-way through, every connection to
the portal's database is killed with ``pg_terminate_backend``. Requests in flight
at that moment may fail; every request that starts a second or more after the kill
must succeed, with no restart.

``outage``: the portal reaches PostgreSQL through a small TCP relay in this script,
and the relay is stopped (the database is unreachable, as if stopped; the shared
PostgreSQL server itself is not touched). Pages must answer a plain 503 "service
unavailable" page and ``/healthz`` 503; when the relay comes back, the same gunicorn
(same process) must answer 200 again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mps_bench \\
        .venv/bin/python bench/faults.py kill outage --port 8215
"""

import argparse
import contextlib
import os
import socket
import threading
import time

import dj_database_url
import psycopg
from portal_server import (
    default_database_url,
    exit_with,
    failed,
    get,
    portal,
    print_table,
    run_clients,
)

NO_LIMITS = {"RATE_LIMIT_SEARCH": "1000000", "RATE_LIMIT_DOWNLOADS": "1000000"}


def terminate_connections(database_url: str) -> int:
    config = dj_database_url.parse(database_url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [config["NAME"]],
        ).fetchall()
    return len(rows)


def kill(args, database_url: str) -> bool:
    killed_at = {}

    def killer(start, stop_at):
        time.sleep(args.kill_after)
        killed_at["t"] = time.monotonic() - start
        killed_at["n"] = terminate_connections(database_url)

    with portal(
        database_url, args.redis_url, args.port, args.workers, args.threads, NO_LIMITS
    ):
        outcomes = run_clients(args.port, args.clients, args.duration, on_tick=killer)
    t = killed_at["t"]
    print(f"Killed {killed_at['n']} database connections at {t:.1f} s")
    print_table(outcomes)
    before = [o for o in outcomes if o.started < t]
    after = [o for o in outcomes if o.started >= t + 1]
    in_flight = [o for o in outcomes if o.started < t < o.started + o.seconds]
    print(
        f"before the kill: {len(before)} requests, {sum(map(failed, before))} errors; "
        f"in flight at the kill: {len(in_flight)}, "
        f"{sum(map(failed, in_flight))} errors; "
        f"started 1 s or more after: {len(after)}, {sum(map(failed, after))} errors"
    )
    errors = [o for o in outcomes if failed(o)]
    for outcome in errors[:5]:
        print(f"  error at {outcome.started:.1f} s: {outcome.path} {outcome.status}")
    return bool(after) and not any(map(failed, after))


class Relay:
    """A TCP relay from a local port to PostgreSQL that can be stopped and started."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(
            target=self._accept, args=(self.listener,), daemon=True
        ).start()

    def stop(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone does not.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()


def outage(args, database_url: str) -> bool:
    config = dj_database_url.parse(database_url)
    relay = Relay(config["HOST"] or "127.0.0.1", int(config["PORT"] or 5432))
    relay.start()
    relayed = f"postgres://{config['USER']}@127.0.0.1:{relay.port}/{config['NAME']}"
    checks = []

    def check(label, path, want, text=None, cache=None):
        status, body, headers = get(args.port, path)
        ok = status == want and (text is None or text.encode() in body)
        if cache is not None:
            ok = ok and headers.get("X-Page-Cache") == cache
        checks.append(ok)
        print(f"  {label:28} {path:22} {status} {'ok' if ok else 'WRONG'}")
        return status

    with portal(
        relayed, args.redis_url, args.port, args.workers, args.threads, NO_LIMITS
    ) as (_host, _port, process):
        print("Database up:")
        check("page", "/councils/", 200)
        check("health check", "/healthz", 200)
        relay.stop()
        print("Database unreachable (relay stopped):")
        started = time.monotonic()
        # A page an anonymous visitor saw while the database was up is still in
        # the shared page cache (Redis), so it is still served; any other page
        # says the service is unavailable.
        check("page in the page cache", "/councils/", 200, cache="hit")
        for path in ("/opportunities/", "/services/"):
            check("page not cached", path, 503, "Sorry, the service is unavailable")
        check("health check", "/healthz", 503)
        print(f"  answered within {time.monotonic() - started:.1f} s")
        relay.start()
        print("Database back (relay started), same gunicorn:")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and get(args.port, "/healthz")[0] != 200:
            time.sleep(0.5)
        check("page", "/councils/", 200)
        check("page", "/opportunities/", 200)
        check("health check", "/healthz", 200)
        same = process.poll() is None
        print(f"  gunicorn master {process.pid} still running: {same}")
        checks.append(same)
    relay.stop()
    return all(checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="+", choices=["kill", "outage"])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--kill-after", type=float, default=15)
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
    results = {}
    for scenario in args.scenarios:
        print(f"== {scenario}")
        results[scenario] = {"kill": kill, "outage": outage}[scenario](
            args, database_url
        )
        print(f"== {scenario}: {'passed' if results[scenario] else 'FAILED'}")
    exit_with(all(results.values()))


if __name__ == "__main__":
    main()
