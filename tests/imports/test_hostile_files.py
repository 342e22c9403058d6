"""Hostile files fail fast, in bounded memory, with a clear message, and write nothing."""

import io
import time
import zipfile

import pytest

from customers.models import Customer
from imports.models import Status
from imports.readers import FileRefused

from .conftest import CUSTOMER_HEADER, csv_bytes, errors_of, run_job, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def rebuild_xlsx(content: bytes, replace: dict[str, bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item)))
        for name, data in replace.items():
            if name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


def assert_refused(job, words: str) -> None:
    assert job.status == Status.FAILED
    assert words in job.message, job.message
    assert Customer.objects.count() == 0


def test_upload_size_limit(settings):
    settings.ATERA_IMPORT_MAX_BYTES = 1000
    with pytest.raises(FileRefused, match="the limit is 0 MB"):
        run_job("customers", csv_bytes([CUSTOMER_HEADER] + [["x" * 50]] * 40), "c.csv")


def test_row_limit(settings):
    settings.ATERA_IMPORT_MAX_ROWS = 3
    rows = [CUSTOMER_HEADER] + [[f"C{i}", "", "", "", ""] for i in range(4)]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert_refused(job, "more than 3 rows")


def test_zip_bomb_is_refused_before_parsing(settings):
    settings.ATERA_IMPORT_MAX_UNPACKED_BYTES = 5_000_000
    bomb = b"<row>" + b" " * 40_000_000 + b"</row>"  # 40 MB unpacked, ~40 KB packed
    content = rebuild_xlsx(
        xlsx_bytes([CUSTOMER_HEADER, ["Acme"]]), {"xl/worksheets/sheet1.xml": bomb}
    )
    assert len(content) < 200_000
    started = time.monotonic()
    job = run_job("customers", content, "c.xlsx")
    assert time.monotonic() - started < 2
    assert_refused(job, "Unpacked, the workbook would exceed 5 MB")


def test_zip_member_lying_about_its_size_is_caught(settings):
    settings.ATERA_IMPORT_MAX_UNPACKED_BYTES = 5_000_000
    content = rebuild_xlsx(
        xlsx_bytes([CUSTOMER_HEADER, ["Acme"]]),
        {"xl/sharedStrings.xml": b"<sst>" + b"a" * 20_000_000 + b"</sst>"},
    )
    # Patch the declared size in both headers down to 100 bytes.
    archive = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        info = zf.getinfo("xl/sharedStrings.xml")
    real = info.file_size.to_bytes(4, "little")
    archive = archive.replace(real, (100).to_bytes(4, "little"))
    job = run_job("customers", bytes(archive), "c.xlsx")
    assert job.status == Status.FAILED
    assert Customer.objects.count() == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"
 uniqueCount="1"><si><t>&lol3;</t></si></sst>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&secret;</t></is></c></row>
</sheetData></worksheet>"""


@pytest.mark.parametrize(
    "part, xml",
    [("xl/sharedStrings.xml", BILLION_LAUGHS), ("xl/worksheets/sheet1.xml", EXTERNAL_ENTITY)],
)
def test_xml_entity_attacks_are_refused(part, xml):
    content = rebuild_xlsx(xlsx_bytes([CUSTOMER_HEADER, ["Acme"]]), {part: xml})
    job = run_job("customers", content, "c.xlsx")
    assert_refused(job, "XML entity declarations")


def test_openpyxl_parses_with_defusedxml():
    """Anything that still reads a workbook with openpyxl gets defusedxml's protection."""
    import defusedxml.common
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    content = rebuild_xlsx(
        xlsx_bytes([CUSTOMER_HEADER, ["Acme"]]), {"xl/worksheets/sheet1.xml": EXTERNAL_ENTITY}
    )
    with pytest.raises(ValueError) as refusal:
        openpyxl.load_workbook(io.BytesIO(content))
    cause = refusal.value.__cause__ or refusal.value.__context__
    assert isinstance(cause, defusedxml.common.EntitiesForbidden)


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("c.xlsx", b"Name\nAcme\n", "is not an Excel workbook"),
        ("c.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "is not an Excel workbook"),
        ("c.csv", xlsx_bytes([["Name"], ["Acme"]]), "is a zip or Excel file"),
        ("c.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old-style Excel"),
        ("c.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "old-style Excel"),
        ("c.csv", b"Name\n\x00\x01\x02binary\x00\n", "is not text"),
        ("c.xlsx", b"PK\x03\x04" + b"garbage" * 100, "damaged or is not an Excel file"),
        ("c.csv", b"", "empty"),
    ],
)
def test_a_file_that_is_not_what_its_name_says(name, content, words):
    job = run_job("customers", content, name)
    assert_refused(job, words)


def test_other_extensions_are_refused_at_upload():
    from imports import services

    with pytest.raises(FileRefused, match=r"Upload a \.xlsx or \.csv file"):
        services.create_job("customers", upload(b"Name\nAcme\n", "c.exe"), None)


def test_a_cell_bigger_than_csv_allows_is_a_clear_error():
    content = b'Name,Address\nAcme,"' + b"x" * 200_000 + b'"\n'
    job = run_job("customers", content, "c.csv")
    assert_refused(job, "cannot be read as CSV")


def test_formula_injection_in_an_import_is_stored_as_plain_text():
    rows = [CUSTOMER_HEADER, ['=HYPERLINK("http://evil")', "", "", "", ""]]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert job.status == Status.DONE
    assert Customer.objects.get().name == '=HYPERLINK("http://evil")'


def test_one_far_away_value_in_a_tiny_workbook_is_refused_not_loaded():
    """The reader would allocate A1:XFD1048576 (half a terabyte) for this 5 KB file."""

    def stray(workbook, sheet):
        sheet["XFD1048576"] = "x"

    job = run_job("customers", xlsx_bytes([["Name"], ["Sparse Co"]], stray), "c.xlsx")
    assert_refused(job, "value in column XFD")

    def far_down(workbook, sheet):
        sheet["A1048576"] = "x"

    job = run_job("customers", xlsx_bytes([["Name"], ["Sparse Co"]], far_down), "c.xlsx")
    assert_refused(job, "value in row 1,048,576")


def test_control_characters_are_row_errors_and_never_break_a_report_or_export(admin_client):
    from django.urls import reverse

    rows = [["Name", "Address", "City"], ["Bad\x01Name", "x", "y"], ["Ok", "a\x1bb", "c"]]
    job = run_job("customers", csv_bytes(rows), "c.csv")
    assert job.status == Status.FAILED
    messages = {(row, column): message for row, column, message in errors_of(job)}
    assert "invisible control or formatting characters" in messages[(2, "Name")]
    assert messages[(3, "Address")] == (
        "The value contains an invisible control character (U+001B); remove it."
    )
    report = admin_client.get(reverse("imports:errors", args=[job.pk]))
    assert report.status_code == 200

    # Data that got in another way (the admin site, say) still exports.
    Customer.objects.create(name="Legacy", address="line\x0bbreak", city="A\x1bB")
    export = admin_client.get(reverse("imports:export", args=["customers", "xlsx"]))
    assert export.status_code == 200


def test_excel_for_mac_line_breaks_become_newlines():
    job = run_job(
        "customers", csv_bytes([["Name", "Address"], ["Acme", "1 Road\x0bTown"]]), "c.csv"
    )
    assert job.status == Status.DONE
    assert Customer.objects.get().address == "1 Road\nTown"
