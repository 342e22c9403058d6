"""Settings for benchmarks: production settings on a dedicated PostgreSQL database."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atera_bench"
)

from atera.settings import *  # noqa: F403
from atera.settings import STORAGES

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
