"""The recovery sheet written as CSV (what Google Sheets imports) or XLSX (typed cells), streamed.

CSV: UTF-8 with a byte-order mark (so Excel too reads accents right; Sheets ignores it), a header row, CRLF
rows, amounts as plain decimals with a dot, dates as ISO days, and text that a spreadsheet would run as a
formula neutralised as in the other exports. XLSX: openpyxl's write-only mode (rows go straight to the
file, so 100,000 cases fit in little memory), numbers as numbers with the currency's decimals, dates as
dates, text always stored as text (never a formula), a frozen bold header and widths set per column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from arrears.export.recovery import AMOUNTS, COLUMNS, COUNTS, DATES, RecoveryRow
from arrears.export.writers import neutralise

SheetFormat = Literal["csv", "xlsx"]
Progress = Callable[[int], None]  # called with the rows written so far, every `TICK` rows and at the end
TICK = 500
DATE_FORMAT = "yyyy-mm-dd"
#: Widths in characters: wide enough for a name or an id, narrow for counts.
_WIDTH = {"case_id": 34, "customer": 28, "customer_ref": 18, "account_ref": 18, "owner": 20, "status": 12}


def amount_format(exponent: int) -> str:
    """Excel's number format for amounts with `exponent` decimals: 2 -> '#,##0.00', 0 -> '#,##0'."""
    return "#,##0" + ("." + "0" * exponent if exponent else "")


def _text(column: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(column, value)
    return str(value)


def write_csv(rows: Iterable[RecoveryRow], out: TextIO, progress: Progress | None = None) -> int:
    """Write the sheet as CSV to a text stream opened with newline=""; returns the rows written."""
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_text(name, row.values.get(name)) for name in COLUMNS])
        count += 1
        if progress is not None and count % TICK == 0:
            progress(count)
    if progress is not None:
        progress(count)
    return count


def write_xlsx(rows: Iterable[RecoveryRow], out: Path | BinaryIO, progress: Progress | None = None) -> int:
    """Write the sheet as an XLSX workbook (one sheet, "recovery"); returns the rows written."""
    book = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = book.create_sheet("recovery")
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        width = _WIDTH.get(name, 12 if name in COUNTS else 16)
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, name, row.values.get(name), row.exponent) for name in COLUMNS])
        count += 1
        if progress is not None and count % TICK == 0:
            progress(count)
    book.save(out)
    if progress is not None:
        progress(count)
    return count


def _cell(sheet: WriteOnlyWorksheet, column: str, value: Any, exponent: int) -> WriteOnlyCell | None:
    if value is None:
        return None
    if column in AMOUNTS:
        # A float is what a spreadsheet holds; at 15 significant digits every amount up to 10^13 is exact.
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = amount_format(exponent)
        return cell
    if column in DATES:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # "=..." stays text: openpyxl would otherwise store it as a formula
        return cell
    return WriteOnlyCell(sheet, value=value)


def write_sheet(
    rows: Iterable[RecoveryRow], fmt: SheetFormat, path: Path, progress: Progress | None = None
) -> int:
    """Write the sheet to `path` in `fmt`."""
    if fmt == "xlsx":
        return write_xlsx(rows, path, progress)
    with path.open("w", encoding="utf-8", newline="") as out:
        return write_csv(rows, out, progress)
