"""The restore drill: a pg_dump -Fc backup restores to an identical, migrated database.

PostgreSQL only (production's database); skipped on SQLite. It runs the commands
the README's "Backups and restores" section documents: pg_dump -Fc of the test
database with the demo data, pg_restore into a new scratch database, then equal
row counts and checksums of every table, and ``migrate --check`` clean against the
restored copy. The scratch database is dropped afterwards.
"""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
        reason="the restore drill runs on PostgreSQL only",
    ),
    pytest.mark.skipif(
        shutil.which("pg_dump") is None, reason="pg_dump/pg_restore not installed"
    ),
]


def libpq_env(database: str) -> dict:
    settings = connection.settings_dict
    return os.environ | {
        "PGHOST": settings["HOST"] or "127.0.0.1",
        "PGPORT": str(settings["PORT"] or 5432),
        "PGUSER": settings["USER"] or "postgres",
        "PGPASSWORD": settings["PASSWORD"] or "",
        "PGDATABASE": database,
    }


def run(*args, database, **kwargs):
    return subprocess.run(
        args,
        env=libpq_env(database),
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def table_fingerprints(database: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and an md5 of all its rows in a fixed order."""
    tables = run(
        "psql",
        "-Atc",
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        database=database,
    ).stdout.split()
    fingerprints = {}
    for table in tables:
        out = run(
            "psql",
            "-Atc",
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t",
            database=database,
        ).stdout.strip()
        count, checksum = out.split("|")
        fingerprints[table] = (int(count), checksum)
    return fingerprints


@pytest.fixture
def scratch_database(transactional_db):
    source = connection.settings_dict["NAME"]
    name = f"{source.removeprefix('test_')}_restore_{uuid.uuid4().hex[:8]}"
    run("createdb", name, database="postgres")
    yield source, name
    run("dropdb", "--if-exists", "--force", name, database="postgres")


def test_a_backup_restores_to_an_identical_migrated_database(
    scratch_database, tmp_path
):
    source, restored = scratch_database
    call_command("load_demo_data", verbosity=0)
    connection.close()  # everything is committed; pg_dump sees what a backup would
    backup = tmp_path / "mps.dump"

    run("pg_dump", "-Fc", "-f", str(backup), database=source)
    run(
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        "-d",
        restored,
        str(backup),
        database=restored,
    )

    original = table_fingerprints(source)
    copy = table_fingerprints(restored)
    assert original.keys() == copy.keys()
    assert original["councils_council"][0] == 12
    assert original["tenders_tender"][0] > 0
    assert copy == original

    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{restored}"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
