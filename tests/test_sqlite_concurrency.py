"""The embedded SQLite set-up takes two writers at once: the web server and the task
worker (``scripts/run`` starts both). Each case runs the project's settings in a
child process on a database file of its own (the test database is in memory, where
SQLite has no file locks to meet)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Two threads, each with its own connection (Django's are per thread), both read
# then write in a transaction, the first holding its transaction open while the
# second starts. With SQLite's default deferred transactions the second's read lock
# cannot become a write lock while the first holds one, and SQLite fails it at once
# ("database is locked") without waiting; begun IMMEDIATE, it waits its turn.
SCRIPT = """
import json, sys, threading, time
import django
django.setup()
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS counter (n INTEGER)")
    cursor.execute("DELETE FROM counter")
    cursor.execute("INSERT INTO counter VALUES (0)")
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
connection.close()

first_read = threading.Event()
errors = []

def add(wait_before_write):
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                n = cursor.fetchone()[0]
                first_read.set()
                time.sleep(wait_before_write)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
    finally:
        connections.close_all()

one = threading.Thread(target=add, args=(0.5,))
one.start()
first_read.wait(5)
two = threading.Thread(target=add, args=(0,))
two.start()
one.join()
two.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    total = cursor.fetchone()[0]
print(json.dumps({"journal": journal, "errors": errors, "total": total}))
"""


def run_two_writers(tmp_path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_ENV"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "mps_portal.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_writers_on_the_embedded_database_both_commit(tmp_path):
    found = run_two_writers(tmp_path)
    assert found["errors"] == []
    assert found["total"] == 2


def test_the_embedded_database_keeps_a_write_ahead_log(tmp_path):
    # Readers of pages are not blocked while the worker writes.
    assert run_two_writers(tmp_path)["journal"] == "wal"
