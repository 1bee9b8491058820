"""File formats: which files are read, how text files are decoded and split into cells,
and how a workbook's sheets become rows of raw cell values.

Every reader returns each sheet as a list of rows with row 1 at index 0, so Excel row
numbers stay exact for every problem reported later.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Any

from roi_reports.errors import RoiReportsError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}

Rows = list[list[Any]]


def excel_sheets(path: Path) -> list[tuple[str, Rows]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for corrupt files
        raise RoiReportsError(
            f"{path}: not a readable spreadsheet ({exc}); save it again as .xlsx"
        ) from None
    sheets: list[tuple[str, Rows]] = []
    for name in workbook.sheet_names:
        # skip_empty_area=False keeps row 1 at index 0, so Excel row numbers stay exact
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheets.append((name, rows))
    return sheets


def decode_text(raw: bytes) -> str:
    """UTF-16 (by its BOM or its many NULs), UTF-8 with or without BOM, else cp1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if raw[:200].count(0) > 40:  # UTF-16 without a BOM: every other byte of ASCII is NUL
        return raw.decode("utf-16-le" if raw[1:2] == b"\0" else "utf-16-be")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def csv_rows(path: Path) -> Rows:
    try:
        text = decode_text(path.read_bytes())
    except UnicodeDecodeError:
        raise RoiReportsError(
            f"{path.name}: text encoding not recognised; save it as CSV UTF-8"
        ) from None
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
