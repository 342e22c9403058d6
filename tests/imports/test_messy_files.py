"""Real files are messy: each kind of mess DESIGN.md §8 lists, built here, imports or fails
with one clear message."""

import datetime
import time

import pytest
from openpyxl.styles import Font, PatternFill

from contacts.models import Contact
from customers.models import Customer
from imports.models import Status

from .conftest import CUSTOMER_HEADER, counts, csv_bytes, errors_of, run_job, xlsx_bytes

pytestmark = pytest.mark.django_db

ROWS = [CUSTOMER_HEADER, ["Zoë Café", "zoe.fr", "01234", "", ""], ["Ärger GmbH", "", "", "", ""]]


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "cp1252", "utf-16"],
)
def test_text_encodings(encoding):
    job = run_job("customers", csv_bytes(ROWS, encoding=encoding), "c.csv")
    assert counts(job) == (2, 0, 0, 0), errors_of(job)
    assert set(Customer.objects.values_list("name", flat=True)) == {"Zoë Café", "Ärger GmbH"}


def test_text_that_is_no_known_encoding_is_refused_clearly():
    content = csv_bytes(ROWS) + b"\x81\x8d\x8f\x90\x9d\n"  # undefined in cp1252, invalid UTF-8
    job = run_job("customers", content, "c.csv")
    assert job.status == Status.FAILED
    assert "neither UTF-8 nor Windows-1252" in job.message


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters(delimiter):
    rows = [CUSTOMER_HEADER, ["Acme, Inc.", "acme.com; acme.org", "", "", ""]]
    job = run_job("customers", csv_bytes(rows, delimiter=delimiter), "c.csv")
    assert counts(job) == (1, 0, 0, 0), errors_of(job)
    assert Customer.objects.get().name == "Acme, Inc."
    assert Customer.objects.get().domains.count() == 2


def test_header_case_spacing_and_other_consoles_names():
    rows = [
        ["  customername ", "DOMAIN", "zip_code_str", "BusinessNumber", "CreatedOn"],
        ["Acme", "acme.com", "0042", "GB1", "2020-01-01"],
    ]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert counts(job) == (1, 0, 0, 0)
    acme = Customer.objects.get()
    assert (acme.zip_code, acme.company_id) == ("0042", "GB1")
    assert job.preview["ignored_columns"] == ["CreatedOn"]


def test_unknown_columns_are_refused_never_dropped():
    rows = [["Name", "Favourite colour"], ["Acme", "blue"]]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert job.status == Status.FAILED
    assert "unknown columns “Favourite colour”" in job.message
    assert Customer.objects.count() == 0


def test_duplicated_columns_are_refused():
    rows = [["Name", "Phone", "phone "], ["Acme", "1", "2"]]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert job.status == Status.FAILED
    assert job.message == "Row 1: the column “Phone” appears twice; keep one of them."


def test_a_file_without_the_key_column_is_refused():
    job = run_job("contacts", csv_bytes([["Customer", "First name"], ["Acme", "Jane"]]), "c.csv")
    assert job.message == "Row 1 is taken as the header, but it has no “Email” column."


def test_blank_lines_before_the_header_and_between_rows():
    content = b"\r\n,,,\r\n\r\n" + csv_bytes(
        [CUSTOMER_HEADER, ["Acme", "", "", "", ""], ["", "", "", "", ""], ["Beta", "", "", "", ""]]
    )
    job = run_job("customers", content, "c.csv")
    assert counts(job) == (2, 0, 0, 0)
    # Row numbers are the spreadsheet's: the header is on row 4 here.
    bad = b"\r\n\r\n\r\n" + csv_bytes([CUSTOMER_HEADER, ["Acme", "", "x" * 30, "", ""]])
    job = run_job("customers", bad, "c.csv")
    assert errors_of(job)[0][:2] == (5, "Zip code")


def test_trailing_formatted_rows_to_the_last_excel_row_cost_nothing():
    def format_to_the_end(workbook, sheet):
        for row in (1_048_576, 500_000, 10):
            sheet.cell(row=row, column=1).font = Font(bold=True)
            sheet.cell(row=row, column=2).fill = PatternFill("solid", fgColor="FFFF00")

    content = xlsx_bytes(
        [CUSTOMER_HEADER, ["Acme", "", "", "", ""], ["Beta", "", "", "", ""]],
        format_to_the_end,
    )
    started = time.monotonic()
    job = run_job("customers", content, "c.xlsx")
    elapsed = time.monotonic() - started

    assert counts(job) == (2, 0, 0, 0)
    assert job.rows_total == 2
    assert elapsed < 1.0, f"two real rows took {elapsed:.2f} s"


def test_numbers_stay_text_without_dot_zero_or_exponent():
    rows = [
        CUSTOMER_HEADER,
        ["Acme", "", "01234", 4915112345678, ""],  # text zip keeps its zero; a long number
        ["Beta", "", 12345.0, 1234567890123456.0, ""],
    ]
    job = run_job("customers", xlsx_bytes(rows), "c.xlsx")
    assert counts(job) == (2, 0, 0, 0), errors_of(job)
    acme, beta = Customer.objects.order_by("name")
    assert (acme.zip_code, acme.phone) == ("01234", "4915112345678")
    assert (beta.zip_code, beta.phone) == ("12345", "1234567890123456")


def test_date_cells_and_serial_dates_read_as_iso_dates():
    def date_format(workbook, sheet):
        sheet["C3"].number_format = "dd/mm/yyyy"

    rows = [
        CUSTOMER_HEADER,
        ["Acme", "", datetime.date(2024, 3, 1), "", ""],
        ["Beta", "", 45352, "", ""],  # a serial date shown as a date by its format
    ]
    job = run_job("customers", xlsx_bytes(rows, date_format), "c.xlsx")
    assert counts(job) == (2, 0, 0, 0), errors_of(job)
    assert set(Customer.objects.values_list("zip_code", flat=True)) == {"2024-03-01"}


def test_formulas_use_their_saved_result_or_fail_clearly():
    # openpyxl saves formulas without a result, as many generated files do.
    rows = [CUSTOMER_HEADER, ["Acme", "", '="0"&"42"', "", ""]]
    job = run_job("customers", xlsx_bytes(rows), "c.xlsx")
    assert job.status == Status.FAILED
    assert errors_of(job) == [
        (
            2,
            "Zip code",
            "This cell holds a formula with no saved result; open the file in Excel, save it, "
            "and upload it again (or paste values).",
        )
    ]

    saved = _xlsx_with_cached_formula()
    job = run_job("customers", saved, "c.xlsx")
    assert counts(job) == (1, 0, 0, 0), errors_of(job)
    assert Customer.objects.get().zip_code == "042"


def _xlsx_with_cached_formula() -> bytes:
    """A workbook as Excel saves it: <f> with its cached <v>, here patched into openpyxl's."""
    import io
    import zipfile

    content = xlsx_bytes([CUSTOMER_HEADER, ["Acme", "", '="0"&"42"', "", ""]])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<c r="C2"><f>"0"&amp;"42"</f><v /></c>',
                    b'<c r="C2" t="str"><f>"0"&amp;"42"</f><v>042</v></c>',
                )
                assert b"<v>042</v>" in data
            target.writestr(item, data)
    return out.getvalue()


def test_merged_cells_give_their_value_to_every_cell_they_cover():
    def merge(workbook, sheet):
        sheet.merge_cells("A2:A3")

    CustomerAcme = Customer.objects.create(name="Acme")
    rows = [
        ["Customer", "Email", "First name", "Last name"],
        ["Acme", "a@acme.com", "A", "A"],
        [None, "b@acme.com", "B", "B"],
    ]
    job = run_job("contacts", xlsx_bytes(rows, merge), "c.xlsx")
    assert counts(job) == (2, 0, 0, 0), errors_of(job)
    assert set(Contact.objects.values_list("customer", flat=True)) == {CustomerAcme.pk}


def test_the_template_example_row_is_skipped():
    rows = [
        CUSTOMER_HEADER,
        ["Example Customer Ltd", "example.com", "", "", ""],
        ["Acme", "", "", "", ""],
    ]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert counts(job) == (1, 0, 0, 0)
    assert job.preview["skipped_example_rows"] == [2]


def test_values_outside_the_header_are_row_errors_not_dropped():
    rows = [
        ["Name", "Address", "City", "Country"],
        ["Shift Co", "1 Main St", " Suite 2", "Springfield", "USA"],
    ]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert errors_of(job) == [
        (
            2,
            "E",
            "The value “USA” is outside the header's columns; quote values that contain the "
            "delimiter, or give that column a header.",
        )
    ]
    job = run_job("customers", b"Name,,City\r\nX,lost value,A\r\n", "c.csv")
    assert errors_of(job)[0][:2] == (2, "B")
    job = run_job("customers", b"Name\r\nSmith, Jones & Co\r\n", "c.csv")
    assert job.error_count == 1
    assert Customer.objects.count() == 0


def test_names_are_unicode_normalised_so_lookalikes_match():
    import unicodedata

    Customer.objects.create(name="Café Müller GmbH")
    decomposed = unicodedata.normalize("NFD", "Café Müller GmbH")
    job = run_job("customers", csv_bytes([["Name", "City"], [decomposed, "Köln"]]), "c.csv")
    assert counts(job) == (0, 1, 0, 0)
    assert Customer.objects.get().city == "Köln"


def test_a_header_without_rows_is_refused():
    job = run_job("customers", b"Name,Domains\r\n\r\n\r\n", "c.csv")
    assert job.status == Status.FAILED
    assert job.message == "The file has a header but no data rows."
