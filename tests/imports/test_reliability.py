"""Imports under real workers and real failures: the broker (Redis in CI), a worker killed
with SIGKILL mid-import, redelivered tasks, and overlapping imports at the same time."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from customers.models import Customer
from imports import services
from imports.models import ImportJob, Status
from imports.tasks import import_job, validate_job
from tests.workers import ROOT, start_worker

from .conftest import CUSTOMER_HEADER, csv_bytes, upload


def wait_for(predicate, timeout=90, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def status_of(job) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=job.pk)


def customers_file(count: int, start: int = 0) -> bytes:
    return csv_bytes(
        [CUSTOMER_HEADER]
        + [[f"Customer {i:06d}", f"c{i}.example", f"{i:05d}", "", ""] for i in range(start, count)]
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_validates_and_imports_through_the_broker(worker_env):
    worker = start_worker(worker_env)
    try:
        job = services.create_job("customers", upload(customers_file(50), "c.csv"), None)
        validate_job.delay(job.pk)
        wait_for(lambda: status_of(job) == Status.READY, what="validation by the worker")
        assert services.confirm(job, None)
        import_job.delay(job.pk)
        wait_for(lambda: status_of(job) == Status.DONE, what="the import by the worker")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert Customer.objects.count() == 50
    assert Customer.objects.get(name="Customer 000007").zip_code == "00007"


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_fails(worker_env):
    job = services.create_job("customers", upload(customers_file(60_000), "c.csv"), None)
    services.validate(job.pk)
    assert services.confirm(job, None)

    worker = start_worker(worker_env)
    try:
        import_job.delay(job.pk)

        def importing_rows():
            progress = cache.get(f"imports:progress:{job.pk}") or {}
            return progress.get("status") == Status.IMPORTING and progress.get("processed")

        wait_for(importing_rows, what="the import to be under way")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    assert status_of(job) == Status.IMPORTING
    assert Customer.objects.count() == 0  # the transaction died with the worker
    # Within the stall time (2 s here; 120 s by default) the job is marked failed by the
    # periodic check, or by the next look at its page.
    wait_for(lambda: services.fail_stalled_jobs([job.pk]), timeout=30, what="the stall")
    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "worker stopped" in job.message
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_a_redelivered_task_does_not_import_twice(worker_env):
    job = services.create_job("customers", upload(customers_file(3), "c.csv"), None)
    services.validate(job.pk)
    services.validate(job.pk)  # redelivered validation: no second pass
    assert services.confirm(job, None)
    services.run_import(job.pk)
    finished = ImportJob.objects.get(pk=job.pk)
    services.run_import(job.pk)  # redelivered after the first finished
    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == (
        Status.DONE,
        finished.attempts,
        finished.finished_at,
    )
    assert Customer.objects.count() == 3


@pytest.mark.django_db
def test_a_delivery_while_another_worker_is_alive_does_nothing(worker_env):
    job = services.create_job("customers", upload(customers_file(3), "c.csv"), None)
    services.validate(job.pk)
    services.confirm(job, None)
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.IMPORTING, heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    cache.set(
        f"imports:progress:{job.pk}",
        {"status": Status.IMPORTING, "processed": 1, "total": 3, "at": time.time()},
    )
    services.run_import(job.pk)  # the other worker is alive: hands off
    assert Customer.objects.count() == 0

    cache.clear()  # that worker died: the redelivered task takes over and imports once
    services.run_import(job.pk)
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert Customer.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_overlapping_imports_at_once_never_create_duplicates(worker_env, tmp_path):
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    first.write_bytes(customers_file(3000))
    second.write_bytes(customers_file(4000, start=1000))  # 2,000 rows in common

    commands = [
        subprocess.Popen(
            [sys.executable, "manage.py", "import_file", "customers", str(path), "--inline"],
            cwd=ROOT,
            env=worker_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for path in (first, second)
    ]
    outputs = [command.communicate(timeout=300)[0] for command in commands]

    names = list(Customer.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
    statuses = set(ImportJob.objects.values_list("status", flat=True))
    if connection.vendor == "postgresql":
        # The advisory lock applies one file after the other: both succeed.
        assert statuses == {Status.DONE}, outputs
        assert len(names) == 4000
        assert sorted(o.splitlines()[0] for o in outputs) == sorted(
            [
                "new=3000 updated=0 unchanged=0 errors=0",
                "new=1000 updated=0 unchanged=2000 errors=0",
            ]
        ) or all(o.startswith("new=") for o in outputs)
    else:
        assert statuses <= {Status.DONE, Status.FAILED}
