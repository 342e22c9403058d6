"""The Celery application shared by the web process and the workers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atera.settings")

app = Celery("atera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="atera.ping")
def ping() -> str:
    """Answer ``pong``: lets operators and tests check that a worker is consuming."""
    return "pong"
