"""Import test helpers: spreadsheets built in the test, and jobs run through the services."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services
from imports.models import ImportJob


@pytest.fixture(autouse=True)
def isolated_imports(settings, tmp_path):
    """Uploads in a fresh folder, and no progress left in the cache by another test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def xlsx_bytes(rows, build=None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if build:
        build(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def run_job(kind: str, content: bytes, name: str, user=None, *, confirm=True) -> ImportJob:
    """Upload, validate and (when clean and asked) import, inline, as a worker would."""
    job = services.create_job(kind, upload(content, name), user)
    services.validate(job.pk)
    job.refresh_from_db()
    if confirm and services.confirm(job, user):
        services.run_import(job.pk)
        job.refresh_from_db()
    return job


def errors_of(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in job.row_errors.order_by("row", "pk")]


def counts(job: ImportJob) -> tuple[int, int, int, int]:
    return job.new_count, job.updated_count, job.unchanged_count, job.error_count


CUSTOMER_HEADER = ["Name", "Domains", "Zip code", "Phone", "Tickets by main contact only"]
CONTACT_HEADER = ["Customer", "Email", "First name", "Last name", "Main contact", "Phone"]


def fixture_path(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path
