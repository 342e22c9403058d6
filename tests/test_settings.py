"""Settings read from the environment: databases, broker, DEBUG and the deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-check",
    "DJANGO_ALLOWED_HOSTS": "console.msp.example",
    "DATABASE_URL": "postgres://atera:secret@db.internal:5432/atera",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def settings_in_subprocess(env: dict, code: str) -> str:
    """Import the settings in a clean interpreter with only ``env`` set, print ``code``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ATERA_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "-c", f"from atera import settings as s; print({code})"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_local_defaults_are_sqlite_and_a_file_broker():
    out = settings_in_subprocess(
        {"DJANGO_DEBUG": "1"},
        "s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.DEBUG",
    )
    assert out == "django.db.backends.sqlite3 filesystem:// True"


def test_environment_switches_to_postgresql_and_redis():
    out = settings_in_subprocess(
        PRODUCTION, "s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.DEBUG"
    )
    assert out == "django.db.backends.postgresql redis://cache.internal:6379/0 False"


def test_debug_is_off_by_default_and_needs_a_secret_key():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", "from atera import settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_with_production_variables():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ATERA_"))}
    clean.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_health_check_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
