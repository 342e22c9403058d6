"""Import jobs from upload to report: who may move a job on, and what each step writes.

A job moves queued → validating → ready → confirmed → importing → done, or to failed or
cancelled. Each move is a conditional UPDATE on the status, so a double-clicked Confirm,
a second browser tab or a redelivered task finds the job already moved and does nothing.
"""

import contextlib
import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import pipeline
from .models import FINISHED, RUNNING, ImportJob, Kind, RowError, Status
from .pipeline import Progress
from .readers import EXTENSIONS, FileRefused

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1.0  # seconds between progress writes
ERROR_BATCH = 5000
# Any fixed number: every import takes this PostgreSQL lock, so overlapping files are
# applied one after the other and never race to create the same customer.
ADVISORY_LOCK = 0x1A7E_0001


class Rollback(Exception):
    """Raised inside the import transaction to undo it when a row failed."""


def create_job(
    kind: str, upload: UploadedFile, user: User | None, *, dry_run: bool = False
) -> ImportJob:
    """Store the uploaded file in the configured storage and queue its validation."""
    extension = Path(upload.name or "").suffix.lower()
    if kind not in Kind.values:
        raise FileRefused(_("Choose customers or contacts."))
    if extension not in EXTENSIONS:
        raise FileRefused(_("Upload a .xlsx or .csv file."))
    if upload.size > settings.ATERA_IMPORT_MAX_BYTES:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "size": f"{upload.size / 1e6:.0f}",
                "limit": f"{settings.ATERA_IMPORT_MAX_BYTES / 1e6:.0f}",
            }
        )
    job = ImportJob(
        kind=kind,
        token=secrets.token_hex(16),
        original_name=Path(upload.name).name[:255],
        extension=extension,
        size=upload.size,
        dry_run=dry_run,
        created_by=user,
    )
    job.file.save(job.token, upload, save=False)
    job.save()
    logger.info(
        "import job=%s queued: %s %s (%s bytes) by %s",
        job.pk,
        kind,
        job.original_name,
        job.size,
        user or "command line",
    )
    return job


def enqueue_validation(job: ImportJob) -> None:
    from .tasks import validate_job

    transaction.on_commit(lambda: validate_job.delay(job.pk))


def enqueue_import(job: ImportJob) -> None:
    from .tasks import import_job

    transaction.on_commit(lambda: import_job.delay(job.pk))


def confirm(job: ImportJob, user: User | None) -> bool:
    """Move a clean, validated job on to importing; False when it was not in that state."""
    moved = ImportJob.objects.filter(
        pk=job.pk, status=Status.READY, error_count=0, dry_run=False
    ).update(status=Status.CONFIRMED, confirmed_by=user, confirmed_at=timezone.now())
    if moved:
        logger.info("import job=%s confirmed by %s", job.pk, user or "command line")
    return bool(moved)


def cancel(job: ImportJob) -> bool:
    moved = ImportJob.objects.filter(pk=job.pk, status__in=[Status.QUEUED, Status.READY]).update(
        status=Status.CANCELLED, finished_at=timezone.now()
    )
    return bool(moved)


# --- running a step ------------------------------------------------------------------------


def validate(job_id: int, on_progress: Progress | None = None) -> None:
    """Check every row and record the preview; writes no customer or contact."""
    job = _claim(job_id, Status.QUEUED, Status.VALIDATING)
    if job is None:
        return
    try:
        with _local_copy(job) as path:
            outcome = pipeline.run(
                job.kind,
                path,
                job.extension,
                write=False,
                progress=_progress_writer(job, on_progress),
            )
    except FileRefused as refusal:
        _fail(job, str(refusal))
        return
    except Exception:
        logger.exception("import job=%s: validation crashed", job.pk)
        _fail(job, _("The file could not be checked because of an internal error."))
        raise
    _record(job, outcome)
    if outcome.errors:
        status = Status.FAILED
        message = _(
            "The file has errors; nothing was imported. Fix the rows listed and upload it again."
        )
    elif not (outcome.new or outcome.updated) and not job.dry_run:
        status = Status.DONE
        message = _("Every row matches what is stored already; there was nothing to import.")
    else:
        status, message = Status.READY, ""
    ImportJob.objects.filter(pk=job.pk, status=Status.VALIDATING).update(
        status=status,
        message=message,
        validated_at=timezone.now(),
        finished_at=None if status == Status.READY else timezone.now(),
    )
    logger.info(
        "import job=%s validated: rows=%s new=%s updated=%s unchanged=%s errors=%s",
        job.pk,
        outcome.rows,
        outcome.new,
        outcome.updated,
        outcome.unchanged,
        len(outcome.errors),
    )


def run_import(job_id: int, on_progress: Progress | None = None) -> None:
    """Apply a confirmed job in one transaction; a row that now fails undoes all of it."""
    job = _claim(job_id, Status.CONFIRMED, Status.IMPORTING)
    if job is None:
        return
    outcome = None
    try:
        with _local_copy(job) as path, transaction.atomic():
            _lock_imports()
            outcome = pipeline.run(
                job.kind,
                path,
                job.extension,
                write=True,
                user=job.created_by,
                progress=_progress_writer(job, on_progress),
            )
            if outcome.errors:
                raise Rollback
    except Rollback:
        _record(job, outcome)
        _fail(
            job,
            _(
                "Rows failed on import (the data changed since the preview); "
                "nothing was imported. Fix the rows listed and upload the file again."
            ),
        )
        return
    except FileRefused as refusal:
        _fail(job, str(refusal))
        return
    except (IntegrityError, DatabaseError) as exc:
        logger.warning("import job=%s: the database refused the import: %s", job.pk, exc)
        _fail(
            job,
            _(
                "The database refused the import (another change got in first); "
                "nothing was imported. Upload the file again."
            ),
        )
        return
    except Exception:
        logger.exception("import job=%s: import crashed; rolled back", job.pk)
        _fail(job, _("The import stopped because of an internal error; nothing was imported."))
        raise
    _record(job, outcome)
    ImportJob.objects.filter(pk=job.pk, status=Status.IMPORTING).update(
        status=Status.DONE, finished_at=timezone.now()
    )
    logger.info(
        "import job=%s done: new=%s updated=%s unchanged=%s",
        job.pk,
        outcome.new,
        outcome.updated,
        outcome.unchanged,
    )


def fail_stalled_jobs(job_ids: list[int] | None = None) -> int:
    """Mark failed the jobs whose worker stopped giving signs of life (killed, say).

    An import runs in one transaction, so a worker that died mid-import wrote nothing:
    failing the job tells the admin to start it again instead of waiting forever.
    """
    stale = timezone.now() - timedelta(seconds=settings.ATERA_IMPORT_STALL_SECONDS)
    count = 0
    stalled = ImportJob.objects.filter(status__in=RUNNING, heartbeat_at__lt=stale)
    if job_ids is not None:
        stalled = stalled.filter(pk__in=job_ids)
    for job in stalled:
        if _alive(job):
            continue
        moved = ImportJob.objects.filter(
            pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at
        ).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "The worker stopped while working on this file; nothing was imported. "
                "Upload the file again."
            ),
        )
        if moved:
            count += 1
            logger.warning(
                "import job=%s was %s with no worker alive since %s; marked failed",
                job.pk,
                job.status,
                job.heartbeat_at,
            )
    return count


# --- progress ------------------------------------------------------------------------------


def progress_of(job: ImportJob) -> tuple[int, int]:
    """Rows processed and total for the progress bar, live while a worker is on the job."""
    if job.status in RUNNING:
        live = cache.get(_progress_key(job.pk))
        if live and live.get("status") == job.status:
            return live["processed"], live["total"]
    return job.rows_processed, job.rows_total


def _progress_writer(job: ImportJob, also: Progress | None = None) -> Progress:
    last = 0.0

    def write(processed: int, total: int) -> None:
        nonlocal last
        if also is not None:
            also(processed, total)
        now = time.monotonic()
        if now - last < PROGRESS_EVERY and processed != total:
            return
        last = now
        _report_progress(job, processed, total)

    write(0, 0)
    return write


def _report_progress(job: ImportJob, processed: int, total: int) -> None:
    # The cache, not the job row: during an import the row is inside the transaction. The
    # time stamp is the worker's sign of life that _alive() reads.
    cache.set(
        _progress_key(job.pk),
        {"status": job.status, "processed": processed, "total": total, "at": time.time()},
        timeout=settings.ATERA_IMPORT_STALL_SECONDS * 10,
    )


def _alive(job: ImportJob) -> bool:
    live = cache.get(_progress_key(job.pk))
    return bool(
        live
        and live.get("status") == job.status
        and time.time() - live["at"] < settings.ATERA_IMPORT_STALL_SECONDS
    )


def _progress_key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


# --- helpers -------------------------------------------------------------------------------


def _claim(job_id: int, from_status: str, to_status: str) -> ImportJob | None:
    """Take the job for this step, or None when another delivery took it or it moved on.

    A job left in the running state by a worker that died is taken over once its
    heartbeat is stale (the redelivered task after a SIGKILL, say).
    """
    now = timezone.now()
    moved = ImportJob.objects.filter(pk=job_id, status=from_status).update(
        status=to_status, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not moved:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None or job.status != to_status or _alive(job):
            logger.info(
                "import job=%s: nothing to do for this delivery (%s)",
                job_id,
                job.status if job else "deleted",
            )
            return None
        stale = now - timedelta(seconds=settings.ATERA_IMPORT_STALL_SECONDS)
        moved = ImportJob.objects.filter(
            pk=job_id, status=to_status, heartbeat_at=job.heartbeat_at, heartbeat_at__lt=stale
        ).update(heartbeat_at=now, attempts=F("attempts") + 1)
        if not moved:
            return None
        logger.warning("import job=%s: taking over from a worker that stopped", job_id)
    job = ImportJob.objects.get(pk=job_id)
    _report_progress(job, 0, 0)
    return job


def _record(job: ImportJob, outcome: pipeline.Outcome) -> None:
    RowError.objects.filter(job=job).delete()
    for start in range(0, len(outcome.errors), ERROR_BATCH):
        RowError.objects.bulk_create(
            RowError(job=job, row=e.row, column=e.column, message=e.message, values=e.values)
            for e in outcome.errors[start : start + ERROR_BATCH]
        )
    ImportJob.objects.filter(pk=job.pk).update(
        rows_total=outcome.rows,
        rows_processed=outcome.rows,
        new_count=outcome.new,
        updated_count=outcome.updated,
        unchanged_count=outcome.unchanged,
        error_count=len(outcome.errors),
        preview={
            **outcome.samples,
            "ignored_columns": outcome.ignored_columns,
            "header": outcome.header,
            "skipped_example_rows": outcome.skipped_example_rows[:20],
        },
    )


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).exclude(status__in=FINISHED).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )
    logger.info("import job=%s failed: %s", job.pk, message)


def _lock_imports() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
    # SQLite: transactions begin IMMEDIATE (see settings), which serialises writers already.


@contextlib.contextmanager
def _local_copy(job: ImportJob) -> Iterator[Path]:
    """The job's file as a local path: the storage's own file, or a temporary copy."""
    try:
        local = Path(job.file.path)
    except NotImplementedError:
        local = None  # a remote storage (S3 and the like): copy it down first
    if local is not None:
        yield local
        return
    with tempfile.NamedTemporaryFile(suffix=job.extension) as copy, job.file.open("rb") as src:
        shutil.copyfileobj(src, copy)
        copy.flush()
        yield Path(copy.name)
