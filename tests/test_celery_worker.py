"""A real Celery worker process consumes from the configured broker (Redis in CI)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def broker_env(tmp_path):
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    if not env.get("REDIS_URL"):
        # No Redis configured: the same test runs on the file-system broker.
        env["ATERA_DATA_DIR"] = str(tmp_path)
    return env


def test_worker_process_runs_a_task_sent_through_the_broker(broker_env):
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "atera",
            "worker",
            "--loglevel=info",
            "--concurrency=1",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=broker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        sender = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from atera.celery import ping; "
                "print(ping.delay().id)",
            ],
            cwd=ROOT,
            env=broker_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        task_id = sender.stdout.strip().splitlines()[-1]

        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            seen.append(line)
            if task_id in line and "succeeded" in line:
                break
        else:
            pytest.fail("the worker did not run the task:\n" + "".join(seen[-40:]))
        assert "'pong'" in line
    finally:
        worker.terminate()
        worker.wait(timeout=30)
