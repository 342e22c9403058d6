"""Spreadsheets going out: templates, exports of customers and contacts, error reports.

Every cell passes through :func:`neutralise`, so a value such as ``=HYPERLINK(…)`` shows
as text in a spreadsheet instead of running as a formula.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .columns import RESOURCES, columns_for
from .models import ImportJob, Kind
from .readers import FORMULA_TRIGGERS

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Digits with phone punctuation cannot run as a formula: "+44 20 7946 0000" stays as is.
_PHONE_LIKE = re.compile(r"^[+-]?[\d\s().\-/]+$")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PHONE_LIKE.match(text):
        return "'" + text
    return text


def xlsx_safe(values: list) -> list:
    """XLSX cannot hold most control characters at all: drop them rather than fail."""
    return [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]


def sheet_title(kind: str) -> str:
    return str(Kind(kind).label)


def template(kind: str, file_format: str) -> bytes:
    """An empty template: the header, one example row the importer skips, and notes."""
    columns = columns_for(kind)
    header = [c.header for c in columns]
    example = [c.example for c in columns]
    if file_format == "csv":
        return _csv_bytes([header, example])

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(kind))
    sheet.append([_bold(sheet, text) for text in header])
    sheet.append(example)
    notes = workbook.create_sheet(_("Columns"))
    notes.append(
        [_bold(notes, t) for t in (_("Column"), _("Required"), _("What to enter"), _("Also read"))]
    )
    for column in columns:
        required = (
            _("yes, the key")
            if column.key
            else (_("for new rows") if column.required_for_new else "")
        )
        notes.append([column.header, required, str(column.help), ", ".join(column.aliases)])
    notes.append([])
    notes.append(
        [
            _(
                "Row 2 is an example: the importer skips it. A blank cell leaves the "
                "stored value as it is; yes/no columns also read true/false and 1/0."
            )
        ]
    )
    return _xlsx_bytes(workbook)


def export_rows(kind: str, queryset=None) -> Iterator[list[str]]:
    """The header, then one row per record, in the template's columns."""
    resource = RESOURCES[kind]()
    fields = resource.get_export_fields()
    yield [f.column_name for f in fields]
    queryset = resource.get_queryset() if queryset is None else queryset
    for record in queryset.iterator(chunk_size=2000):
        yield [neutralise(resource.export_field(f, record)) for f in fields]


def write_export(kind: str, file_format: str, target, queryset=None) -> int:
    """Write an export to a binary file object; returns the number of records."""
    rows = export_rows(kind, queryset)
    count = -1
    if file_format == "csv":
        text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        for row in rows:
            writer.writerow(row)
            count += 1
        text.flush()
        text.detach()
        return count
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(kind))
    for index, row in enumerate(rows):
        sheet.append([_bold(sheet, t) for t in row] if index == 0 else xlsx_safe(row))
        count += 1
    workbook.save(target)
    return count


def error_report(job: ImportJob) -> bytes:
    """The rows that failed, as read, each with what is wrong with it."""
    header = job.preview.get("header") or []
    by_row: dict[int, list] = {}
    for error in job.row_errors.order_by("row", "pk").iterator(chunk_size=2000):
        entry = by_row.setdefault(error.row, [error.values, []])
        entry[1].append(f"{error.column}: {error.message}" if error.column else error.message)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Errors"))
    sheet.append([_bold(sheet, t) for t in xlsx_safe([_("Row"), *header, _("Error")])])
    width = len(header)
    for row, (values, messages) in sorted(by_row.items()):
        cells = [neutralise(v) for v in values][:width] if width else list(values)
        cells += [""] * (width - len(cells))
        sheet.append(xlsx_safe([row, *cells, " · ".join(messages)]))
    return _xlsx_bytes(workbook)


def format_of(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in CONTENT_TYPES:
        raise ValueError(_("Choose a .csv or .xlsx file name."))
    return suffix


def _bold(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell


def _csv_bytes(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
