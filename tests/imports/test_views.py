"""The import pages: admins only, upload to report, one import per double click."""

import io

import openpyxl
import pytest
from django.urls import reverse

from contacts.models import Contact
from customers.models import Customer
from imports import services
from imports.models import ImportJob, Status
from tests.factories import CustomerFactory

from .conftest import CONTACT_HEADER, CUSTOMER_HEADER, csv_bytes, run_job, upload

pytestmark = pytest.mark.django_db


def post_file(client, kind, content, name, **extra):
    return client.post(
        reverse("imports:list"), {"kind": kind, "file": upload(content, name), **extra}
    )


def test_technicians_get_403_everywhere(technician_client, admin_user):
    job = run_job("customers", csv_bytes([CUSTOMER_HEADER, ["Acme"]]), "c.csv", confirm=False)
    for url in [
        reverse("imports:list"),
        reverse("imports:detail", args=[job.pk]),
        reverse("imports:status", args=[job.pk]),
        reverse("imports:errors", args=[job.pk]),
        reverse("imports:template", args=["customers", "xlsx"]),
        reverse("imports:export", args=["contacts", "csv"]),
    ]:
        assert technician_client.get(url).status_code == 403, url
    assert technician_client.post(reverse("imports:confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == Status.READY


def test_upload_validates_on_the_worker_then_confirm_imports(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post_file(
            admin_client, "customers", csv_bytes([CUSTOMER_HEADER, ["Acme"]]), "c.csv"
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:detail", args=[job.pk])
    assert job.status == Status.QUEUED and job.created_by == admin_user
    assert len(queued) == 1  # the validation task is sent once the upload is committed

    page = admin_client.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page  # polls while a worker is on it

    services.validate(job.pk)
    page = admin_client.get(response.url).content.decode()
    assert "Confirm: import 1 change" in page
    assert "hx-trigger" not in page
    assert Customer.objects.count() == 0  # nothing is written before the confirmation

    with django_capture_on_commit_callbacks(execute=False) as queued:
        admin_client.post(reverse("imports:confirm", args=[job.pk]))
        admin_client.post(reverse("imports:confirm", args=[job.pk]))  # double click
    assert len(queued) == 1
    services.run_import(job.pk)
    page = admin_client.get(response.url).content.decode()
    assert "Done" in page
    assert Customer.objects.get().name == "Acme"


def test_bad_uploads_are_form_errors(admin_client):
    response = post_file(admin_client, "customers", b"x", "c.pdf")
    assert response.status_code == 200
    assert "Upload a .xlsx or .csv file." in response.content.decode()
    response = admin_client.post(reverse("imports:list"), {"kind": "customers"})
    assert response.status_code == 200
    response = post_file(admin_client, "invoices", b"Name\nA\n", "c.csv")
    assert response.status_code == 200
    assert ImportJob.objects.count() == 0


def test_the_preview_lists_errors_and_the_report_repeats_the_rows(admin_client):
    CustomerFactory(name="Acme")
    content = csv_bytes(
        [
            CONTACT_HEADER,
            ["Acme", "ok@acme.com", "Ok", "Row", "", ""],
            ["Nobody", "x@acme.com", "=1+1", "Y", "", ""],
        ]
    )
    job = run_job("contacts", content, "c.csv")
    page = admin_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "There is no customer named “Nobody”" in page
    assert "Confirm" not in page

    report = admin_client.get(reverse("imports:errors", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Row", *CONTACT_HEADER, "Error"]
    assert rows[1][:4] == [3, "Nobody", "x@acme.com", "'=1+1"]
    assert rows[1][-1].startswith("Customer: There is no customer named")
    assert len(rows) == 2
    assert Contact.objects.count() == 0


def test_pages_answer_404_for_unknown_jobs_and_kinds(admin_client):
    assert admin_client.get(reverse("imports:detail", args=[999])).status_code == 404
    assert admin_client.post(reverse("imports:confirm", args=[999])).status_code == 404
    assert admin_client.get("/imports/template/invoices.xlsx").status_code == 404
    assert admin_client.get("/imports/template/customers.pdf").status_code == 404
    assert admin_client.get(reverse("imports:confirm", args=[1])).status_code == 405


def test_template_downloads(admin_client):
    response = admin_client.get(reverse("imports:template", args=["contacts", "xlsx"]))
    assert response["Content-Disposition"] == 'attachment; filename="contacts-template.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames == [
        "Contacts",
        "Columns",
    ]
    response = admin_client.get(reverse("imports:template", args=["customers", "csv"]))
    assert response.content.decode("utf-8-sig").startswith("Name,Domains,")


def test_customer_export_follows_the_list_filters(admin_client):
    CustomerFactory(name="Acme", country="France")
    CustomerFactory(name="Beta", country="Spain")
    response = admin_client.get(
        reverse("imports:export", args=["customers", "csv"]) + "?country=Spain"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Beta" in text and "Acme" not in text
    response = admin_client.get(reverse("imports:export", args=["customers", "csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Beta" in text and "Acme" in text


def test_list_and_job_pages_use_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    for i in range(3):
        run_job(
            "customers",
            csv_bytes([CUSTOMER_HEADER, [f"C{i}"], ["=bad", "gmail.com"]]),
            f"c{i}.csv",
        )
    job = ImportJob.objects.first()
    with django_assert_max_num_queries(8):
        assert admin_client.get(reverse("imports:list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(reverse("imports:detail", args=[job.pk])).status_code == 200
    for i in range(3, 20):
        run_job("customers", csv_bytes([CUSTOMER_HEADER, [f"C{i}"]]), f"c{i}.csv")
    with django_assert_max_num_queries(8):
        assert admin_client.get(reverse("imports:list")).status_code == 200
