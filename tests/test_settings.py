"""Settings come from the environment, are documented, and are safe in production."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "mps.example.org",
    "DATABASE_URL": "sqlite:////tmp/mps-deploy-check.sqlite3",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "",
}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DEBUG"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_environment_variable_is_documented_in_the_readme():
    settings_source = (ROOT / "mps_portal" / "settings.py").read_text()
    names = set(
        re.findall(r'env(?:_bool|_list|_int)?\(\s*"([A-Z_]+)"', settings_source)
    )
    assert names, "no environment variables found: has the env() helper changed?"
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert not undocumented, f"Document these in README.md: {undocumented}"


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=PRODUCTION_ENV | {"SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    result = manage(
        "check", env=PRODUCTION_ENV | {"SECRET_KEY": "django-insecure-whatever"}
    )
    assert result.returncode != 0


def test_production_refuses_to_start_without_the_shared_cache():
    result = manage("check", env=PRODUCTION_ENV | {"CACHE_URL": ""})
    assert result.returncode != 0
    assert "CACHE_URL must be set" in result.stderr


def test_production_still_accepts_the_old_redis_url_name():
    result = manage(
        "check",
        env=PRODUCTION_ENV | {"CACHE_URL": "", "REDIS_URL": "redis://127.0.0.1:6379/0"},
    )
    assert result.returncode == 0, result.stderr


def test_a_cache_url_that_is_not_redis_is_refused():
    result = manage(
        "check", env=PRODUCTION_ENV | {"CACHE_URL": "memcached://127.0.0.1:11211"}
    )
    assert result.returncode != 0
    assert "CACHE_URL must be a Redis address" in result.stderr


def test_deploy_checks_pass_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pages_send_security_headers(client, db):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_log_lines_are_printed_once_in_development_and_production():
    logged = (
        "import logging; logging.getLogger('django.tasks').info('task line'); "
        "logging.getLogger('django.request').warning('request line')"
    )
    development = {"DJANGO_ENV": "", "DATABASE_URL": PRODUCTION_ENV["DATABASE_URL"]}
    for env in (development, PRODUCTION_ENV):
        result = manage("shell", "-c", logged, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("task line") == 1, result.stderr
        assert result.stderr.count("request line") == 1, result.stderr
