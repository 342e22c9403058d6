"""Reading uploaded spreadsheets: format checks, hostile-file guards, then rows of text.

Every refusal is a :class:`FileRefused` with a message an admin can act on. Rows come out
as ``(row_number, [cell text, ...])`` with the row number the spreadsheet shows, blank
rows skipped, so a file's trailing formatted-but-empty rows cost nothing.
"""

import codecs
import csv
import datetime
import logging
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

logger = logging.getLogger(__name__)

CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
XLSX_EXTENSIONS = (".xlsx",)
EXTENSIONS = CSV_EXTENSIONS + XLSX_EXTENSIONS

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DELIMITERS = (",", ";", "\t", "|")
# A spreadsheet may turn a cell starting with one of these into a formula; exports put a
# quote in front, and imports take it off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1 << 20
MAX_ZIP_MEMBERS = 10_000
MAX_MERGED_CELLS = 1_000_000
_ENTITY = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# A cell that holds something (a value, inline text or a formula), not just formatting.
_VALUE_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*?(?<!/)>\s*<(?:v|is|f)\b')
MAX_COLUMNS = 1000
# A formula cell whose saved result is missing: <c r="B7"><f>…</f></c> or <f …/> shared.
_UNCACHED_FORMULA = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*>\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)'
    rb"\s*(?:<v>\s*</v>|<v\s*/>)?\s*</c>"
)


class FileRefused(Exception):
    """The whole file cannot be read; the message says why and what to do."""


class UncachedFormula:
    """Stands in for a formula cell that carries no saved result."""

    def __str__(self) -> str:
        return ""


UNCACHED = UncachedFormula()


@dataclass
class Sheet:
    """An opened file: its rows, an estimate of their number, and its format."""

    rows: Iterator[tuple[int, list]]
    estimated_rows: int
    format: str


def open_sheet(path: Path, extension: str) -> Sheet:
    """Check the file against the limits and its claimed format, then open it for reading."""
    size = path.stat().st_size
    if size > settings.ATERA_IMPORT_MAX_BYTES:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(settings.ATERA_IMPORT_MAX_BYTES)}
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if size == 0:
        raise FileRefused(_("The file is empty."))
    if head.startswith(OLE_MAGIC):
        raise FileRefused(
            _("This is an old-style Excel (.xls) file; save it as .xlsx or .csv and upload it.")
        )
    if extension in XLSX_EXTENSIONS:
        if not head.startswith(ZIP_MAGIC):
            raise FileRefused(
                _("The file is named .xlsx but is not an Excel workbook; save it as .xlsx again.")
            )
        return _open_xlsx(path)
    if extension in CSV_EXTENSIONS:
        if head.startswith(ZIP_MAGIC):
            raise FileRefused(
                _("The file is named %(ext)s but is a zip or Excel file; upload it as .xlsx.")
                % {"ext": extension}
            )
        return _open_csv(path)
    raise FileRefused(_("Upload a .xlsx or .csv file."))


def cell_text(value) -> str:
    """One cell as the text it means: numbers without '.0', dates in ISO form."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            # macOS and some exports write "é" as "e" + combining accent: the same name to
            # the eye must be the same key.
            text = unicodedata.normalize("NFC", text)
        if "\x0b" in text:
            text = text.replace("\x0b", "\n")  # Excel for Mac's line break inside a cell
        if text[:1] == "'" and text[1:2] in FORMULA_TRIGGERS:
            return text[1:]
        return text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            # Integral numbers (phone numbers, ids typed as numbers) as digits: no ".0",
            # no exponent.
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


# --- CSV -----------------------------------------------------------------------------------


def _open_csv(path: Path) -> Sheet:
    encoding = _detect_encoding(path)
    estimated = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            estimated += chunk.count(b"\n")
    return Sheet(rows=_csv_rows(path, encoding), estimated_rows=estimated + 1, format="csv")


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; else Windows-1252, as Excel writes."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            encoding = "utf-8"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    raise FileRefused(
                        _("The file is not text; upload a .csv saved as text, or a .xlsx file.")
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            pass

        handle.seek(0)
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise FileRefused(
                _("The text is neither UTF-8 nor Windows-1252; save it as “CSV UTF-8”.")
            ) from exc
        return "cp1252"


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list]]:
    with path.open("r", encoding=encoding, newline="") as handle:
        delimiter = _sniff_delimiter(handle.read(64 * 1024))
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=False)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise FileRefused(
                _("Row %(row)s cannot be read as CSV (%(problem)s).")
                % {"row": reader.line_num, "problem": exc}
            ) from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the header: the first non-blank line's most frequent candidate."""
    for line in text.splitlines():
        if line.strip().strip(",;\t|"):
            counts = {d: _count_outside_quotes(line, d) for d in DELIMITERS}
            best = max(counts, key=counts.get)
            return best if counts[best] else ","
    return ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


# --- XLSX ----------------------------------------------------------------------------------


def _open_xlsx(path: Path) -> Sheet:
    uncached = _inspect_workbook(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise FileRefused(_("The workbook has no sheet."))
        sheet = workbook.get_sheet_by_index(0)
    except CalamineError as exc:
        logger.info("import file %s unreadable by calamine: %s", path.name, exc)
        raise FileRefused(_("The workbook cannot be read; open it and save it again.")) from exc
    return Sheet(rows=_xlsx_rows(sheet, uncached), estimated_rows=sheet.height, format="xlsx")


def _xlsx_rows(sheet, uncached: set[tuple[int, int]]) -> Iterator[tuple[int, list]]:
    first_row, first_col = sheet.start
    targets, sources = _merged_cells(sheet)
    source_values: dict[tuple[int, int], object] = {}
    for index, values in enumerate(sheet.iter_rows()):
        row = first_row + index
        if targets or uncached:
            values = list(values)
            for col, value in enumerate(values):
                where = (row, first_col + col)
                if where in uncached:
                    values[col] = UNCACHED
                elif where in sources:
                    source_values[where] = value
                elif where in targets:
                    values[col] = source_values.get(targets[where], value)
        yield row + 1, values


def _merged_cells(sheet) -> tuple[dict, set]:
    """Map each cell of a merged range to the range's top-left cell, whose value it shows."""
    targets: dict[tuple[int, int], tuple[int, int]] = {}
    sources: set[tuple[int, int]] = set()
    total = 0
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or ():
        total += (bottom - top + 1) * (right - left + 1)
        if total > MAX_MERGED_CELLS:
            raise FileRefused(_("The sheet merges too many cells; unmerge them and upload again."))
        sources.add((top, left))
        for row in range(top, bottom + 1):
            for col in range(left, right + 1):
                if (row, col) != (top, left):
                    targets[(row, col)] = (top, left)
    return targets, sources


def _inspect_workbook(path: Path) -> set[tuple[int, int]]:
    """Refuse zip bombs and XML entity tricks; find formula cells with no saved result.

    Every XML part is decompressed as a stream against a budget, so a member whose header
    lies about its size is caught too; nothing is parsed before this has passed.
    """
    budget = settings.ATERA_IMPORT_MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise FileRefused(_("The workbook has too many parts to be a spreadsheet."))
            if sum(m.file_size for m in members) > budget:
                raise _unpacked_too_large(budget)
            first_sheet = _first_sheet_part(archive)
            uncached: set[tuple[int, int]] = set()
            extent = [0, 0]
            for member in members:
                if not member.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                first = member.filename == first_sheet
                budget = _scan_member(
                    archive, member, budget, uncached if first else None, extent if first else None
                )
            _check_extent(*extent)
            return uncached
    except zipfile.BadZipFile as exc:
        raise FileRefused(
            _("The workbook is damaged or is not an Excel file; save it as .xlsx again.")
        ) from exc
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        raise FileRefused(_("The workbook uses a zip feature that cannot be read.")) from exc


def _check_extent(rows: int, columns: int) -> None:
    """Refuse a sheet whose used range the reader would have to hold in memory whole.

    The reader allocates every cell from A1 to the last cell with a value, so one stray
    value in cell XFD1048576 of a tiny file would ask for half a terabyte.
    """
    if columns > MAX_COLUMNS:
        raise FileRefused(
            _(
                "The sheet has a value in column %(column)s, far right of any template column; "
                "delete the cells to the right of your data and upload it again."
            )
            % {"column": column_letters(columns - 1)}
        )
    if rows > settings.ATERA_IMPORT_MAX_ROWS + 1000:
        raise FileRefused(
            _(
                "The sheet has a value in row %(row)s; the limit is %(limit)s rows. Delete the "
                "stray cells below your data, or split the file."
            )
            % {"row": f"{rows:,}", "limit": f"{settings.ATERA_IMPORT_MAX_ROWS:,}"}
        )


def column_letters(index: int) -> str:
    """Spreadsheet letters of a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _scan_member(
    archive, member, budget: int, uncached: set | None, extent: list[int] | None = None
) -> int:
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            budget -= len(chunk)
            if budget < 0:
                raise _unpacked_too_large(settings.ATERA_IMPORT_MAX_UNPACKED_BYTES)
            window = tail + chunk
            if _ENTITY.search(window):
                logger.warning("import refused: XML entity declaration in %s", member.filename)
                raise FileRefused(
                    _(
                        "The workbook contains XML entity declarations, which spreadsheets do "
                        "not need; it was refused as unsafe."
                    )
                )
            if uncached is not None and b"<f" in window:
                for match in _UNCACHED_FORMULA.finditer(window):
                    uncached.add((int(match[2]) - 1, _column_index(match[1])))
            if extent is not None:
                for match in _VALUE_CELL.finditer(window):
                    extent[0] = max(extent[0], int(match[2]))
                    letters = match[1]
                    if len(letters) > 1:
                        extent[1] = max(extent[1], _column_index(letters) + 1)
            # Keep the end of the chunk: a tag may straddle two chunks.
            tail = window[-4096:]
    return budget


def _first_sheet_part(archive) -> str | None:
    """The zip path of the workbook's first sheet, from workbook.xml and its relations."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return None
    except Exception as exc:  # defusedxml refusals and malformed XML alike
        raise FileRefused(_("The workbook's structure cannot be read safely.")) from exc
    sheet = next((el for el in workbook.iter() if el.tag.endswith("}sheet")), None)
    if sheet is None:
        return None
    rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
    for rel in relations:
        if rel.attrib.get("Id") == rel_id:
            target = rel.attrib.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters.decode():
        index = index * 26 + ord(char) - 64
    return index - 1


def _unpacked_too_large(limit: int) -> FileRefused:
    return FileRefused(
        _("Unpacked, the workbook would exceed %(limit)s MB; it was refused as unsafe.")
        % {"limit": _megabytes(limit)}
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f}"
