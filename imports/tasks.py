"""Celery tasks: each step of an import job runs on a worker."""

from celery import shared_task

from . import services


@shared_task(name="imports.validate")
def validate_job(job_id: int) -> None:
    services.validate(job_id)


@shared_task(name="imports.run")
def import_job(job_id: int) -> None:
    services.run_import(job_id)


@shared_task(name="imports.fail_stalled_jobs")
def fail_stalled_jobs() -> int:
    return services.fail_stalled_jobs()
