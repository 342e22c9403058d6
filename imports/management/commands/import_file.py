"""Import customers or contacts from a spreadsheet, through the same pipeline as the UI."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from atera.celery import app
from imports import services
from imports.models import ImportJob, Kind, Status
from imports.readers import FileRefused

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Import a .xlsx or .csv file of customers or contacts. Prints progress to stderr, then "
        "'new=N updated=N unchanged=N errors=N' and one line per row error; exits 1 on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=Kind.values)
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        parser.add_argument(
            "--inline", action="store_true", help="Run here even when a worker is available."
        )

    def handle(self, *args, kind, path, dry_run, inline, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        with path.open("rb") as handle:
            try:
                job = services.create_job(
                    kind, File(handle, name=path.name), None, dry_run=dry_run
                )
            except FileRefused as refusal:
                raise CommandError(str(refusal)) from refusal

        use_worker = not inline and self.worker_available()
        self.stderr.write(
            f"job {job.pk}: {'sent to the worker' if use_worker else 'running here'}"
        )
        if use_worker:
            services.enqueue_validation(job)
            job = self.wait(job, until_not=(Status.QUEUED, Status.VALIDATING))
        else:
            services.validate(job.pk, on_progress=self.progress("checking"))
            job.refresh_from_db()

        if job.status == Status.READY and not dry_run and services.confirm(job, None):
            if use_worker:
                services.enqueue_import(job)
                job = self.wait(job, until_not=(Status.CONFIRMED, Status.IMPORTING))
            else:
                services.run_import(job.pk, on_progress=self.progress("importing"))
                job.refresh_from_db()
        self.report(job)

    def report(self, job: ImportJob) -> None:
        errors = job.error_count or (1 if job.status == Status.FAILED else 0)
        self.stdout.write(
            f"new={job.new_count} updated={job.updated_count} "
            f"unchanged={job.unchanged_count} errors={errors}"
        )
        for error in job.row_errors.order_by("row", "pk").iterator():
            self.stdout.write(f"row {error.row}, column {error.column}: {error.message}")
        if job.status == Status.FAILED and not job.error_count:
            self.stdout.write(f"file: {job.message}")
        if errors:
            sys.exit(1)

    def progress(self, phase: str):
        def show(processed: int, total: int) -> None:
            if total:
                self.stderr.write(f"{phase}: {processed} of {total} rows")

        return show

    def wait(self, job: ImportJob, until_not: tuple) -> ImportJob:
        shown = None
        while True:
            job.refresh_from_db()
            if job.status not in until_not:
                return job
            services.fail_stalled_jobs([job.pk])
            processed, total = services.progress_of(job)
            if (job.status, processed) != shown and total:
                self.stderr.write(f"{job.get_status_display()}: {processed} of {total} rows")
                shown = (job.status, processed)
            time.sleep(POLL_SECONDS)

    @staticmethod
    def worker_available() -> bool:
        if not settings.REDIS_URL:
            # The file-system broker cannot broadcast a ping; with no Redis, run here.
            return False
        try:
            return bool(app.control.ping(timeout=1.0))
        except Exception:  # no broker, or one that cannot broadcast: run here
            return False
