"""POST /api/v1/imports/ starts a job; GET shows its status and report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from imports import services
from imports.models import ImportJob

from .conftest import CUSTOMER_HEADER, csv_bytes

pytestmark = pytest.mark.django_db


def test_start_poll_and_confirm(admin_client, django_capture_on_commit_callbacks):
    content = csv_bytes([CUSTOMER_HEADER, ["Acme"], ["Beta", "gmail.com"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/api/v1/imports/",
            {"kind": "customers", "file": SimpleUploadedFile("c.csv", content)},
        )
    # No worker in this test: the task is sent on commit; run its body here instead.
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    services.validate(job_id)

    body = admin_client.get(f"/api/v1/imports/{job_id}/").json()
    assert body["status"] == "failed"
    assert (body["new_count"], body["error_count"]) == (1, 1)
    assert body["errors"][0]["row"] == 3
    assert body["errors"][0]["column"] == "Domains"
    assert admin_client.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 409

    content = csv_bytes([CUSTOMER_HEADER, ["Acme"]])
    response = admin_client.post(
        "/api/v1/imports/", {"kind": "customers", "file": SimpleUploadedFile("c.csv", content)}
    )
    job_id = response.json()["id"]
    services.validate(job_id)
    assert admin_client.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 202
    assert admin_client.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 409
    services.run_import(job_id)
    assert admin_client.get(f"/api/v1/imports/{job_id}/").json()["status"] == "done"
    assert Customer.objects.get().name == "Acme"


def test_bad_requests_get_field_errors_not_500(admin_client):
    response = admin_client.post("/api/v1/imports/", {"kind": "invoices"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "file"}
    response = admin_client.post(
        "/api/v1/imports/", {"kind": "customers", "file": SimpleUploadedFile("c.pdf", b"x")}
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["Upload a .xlsx or .csv file."]}
    assert admin_client.get("/api/v1/imports/12345/").status_code == 404
    assert ImportJob.objects.count() == 0


def test_technicians_and_anonymous_are_refused(technician_client, client):
    assert technician_client.get("/api/v1/imports/").status_code == 403
    # Without credentials: 401 with a challenge, since the API takes tokens as well.
    response = client.get("/api/v1/imports/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
