"""Templates and exports: one description of the columns, neutralised formulas, and an
export that re-imports with zero changes."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from contacts.models import ContactEmail
from imports import exports
from imports.columns import columns_for
from tests.factories import ContactFactory, CustomerDomainFactory, CustomerFactory

from .conftest import counts, run_job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["customers", "contacts"])
def test_xlsx_template_has_header_example_and_explanations(kind):
    workbook = openpyxl.load_workbook(io.BytesIO(exports.template(kind, "xlsx")))
    data, notes = workbook.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert list(rows[0]) == [c.header for c in columns_for(kind)]
    assert len(rows) == 2
    explained = {row[0]: row for row in notes.iter_rows(min_row=2, values_only=True) if row[0]}
    for column in columns_for(kind):
        assert explained[column.header][2], f"{column.header} is not explained"


@pytest.mark.parametrize("kind", ["customers", "contacts"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_untouched_template_is_refused_as_holding_no_rows(kind, file_format):
    CustomerFactory(name="Example Customer Ltd")  # so the contact example has its customer
    job = run_job(kind, exports.template(kind, file_format), f"t.{file_format}")
    assert job.status == "failed"
    assert job.message == "The file has only the template's example row; add your rows below it."
    assert job.error_count == 0


def seed():
    acme = CustomerFactory(name="Acme", zip_code="01234", phone="+44 20 7946 0000")
    CustomerDomainFactory(customer=acme, domain="acme.com")
    CustomerDomainFactory(customer=acme, domain="xn--bcher-kva.example")
    CustomerFactory(name="=cmd|' /C calc'!A0", city="@SUM(1+1)")
    jane = ContactFactory(customer=acme, email="jane@acme.com", is_main=True, notes="-2+3")
    ContactEmail.objects.create(contact=jane, address="j@acme.com")
    ContactFactory(customer=acme, email="bob@acme.com", active=False, ignore_email=True)


@pytest.mark.parametrize("kind", ["customers", "contacts"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_reimport_changes_nothing(kind, file_format, tmp_path):
    seed()
    path = tmp_path / f"export.{file_format}"
    call_command("export_file", kind, str(path))

    job = run_job(kind, path.read_bytes(), path.name)

    assert job.error_count == 0, list(job.row_errors.values_list("message", flat=True))
    assert counts(job)[:3] == (0, 0, job.rows_total)
    assert job.rows_total == 2


def test_exported_cells_that_look_like_formulas_are_neutralised():
    seed()
    buffer = io.BytesIO()
    exports.write_export("customers", "csv", buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"))))
    names = {row[0] for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in names
    assert any(row[7] == "'@SUM(1+1)" for row in rows)
    # A phone number is digits, not a formula: it is left alone.
    assert any(row[4] == "+44 20 7946 0000" for row in rows)
    assert any("bücher.example" in row[1] for row in rows)

    buffer = io.BytesIO()
    exports.write_export("contacts", "xlsx", buffer)
    sheet = openpyxl.load_workbook(buffer).active
    notes = [row[9] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'-2+3" in notes
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_of_no_rows_still_has_the_header(file_format, tmp_path):
    path = tmp_path / f"empty.{file_format}"
    call_command("export_file", "contacts", str(path))
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    else:
        rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert [list(r) for r in rows] == [[c.header for c in columns_for("contacts")]]


def test_export_command_refuses_an_unknown_format(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"Choose a \.csv or \.xlsx"):
        call_command("export_file", "contacts", str(tmp_path / "x.pdf"))
