"""File formats: which files are read, how text files are decoded and split into cells,
and how a workbook's sheets become rows of raw cell values.

Every reader returns each sheet as a list of rows with row 1 at index 0, so Excel row
numbers stay exact for every problem reported later.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass
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
    except BaseException as exc:
        if not reader_failure(exc):
            raise
        raise damaged_workbook(path, f"not a readable spreadsheet ({exc})") from None
    sheets: list[tuple[str, Rows]] = []
    for name in workbook.sheet_names:
        try:
            # skip_empty_area=False keeps row 1 at index 0, so Excel row numbers stay exact
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except BaseException as exc:  # a damaged, missing or hostile sheet part
            if not reader_failure(exc):
                raise
            raise damaged_workbook(
                path, f"sheet {name!r} cannot be read ({type(exc).__name__}: {exc})"
            ) from None
        sheets.append((name, rows))
    return sheets


def reader_failure(exc: BaseException) -> bool:
    """What a reader raises on a damaged file: calamine's several error types, or a panic
    in its Rust code, which arrives as pyo3's PanicException (a BaseException)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def damaged_workbook(path: Path, what: str) -> RoiReportsError:
    """The one error for a workbook whose parts cannot be read (corrupt, truncated,
    hand-edited or hostile): saving it again from the program that made it repairs it."""
    return RoiReportsError(
        f"{path.name}: damaged workbook: {what}; open it in Excel or LibreOffice and save "
        "it again, or export it again"
    )


TEXT_ENCODINGS = ("utf-8", "utf-16", "cp1252")
DELIMITERS = (",", ";", "\t", "|")
SNIFF_LINES = 60  # lines judged when choosing the delimiter


@dataclass(frozen=True)
class TextFormat:
    """How a text file was read: what `inspect` shows, and what [input] can override."""

    encoding: str
    delimiter: str


def decode_text(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name): UTF-16 (by its BOM or its many NULs), UTF-8 with or without
    BOM, else cp1252. UTF-16 is told by NULs anywhere in the first 4 KB, so title lines
    above the header do not hide it."""
    if encoding:
        return raw.decode(encoding), encoding
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    head = raw[:4096]
    if head.count(0) > len(head) // 4:  # UTF-16 without a BOM: every other ASCII byte is NUL
        little = head[1::2].count(0) > head[0::2].count(0)
        name = "utf-16-le" if little else "utf-16-be"
        return raw.decode(name), name
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits most lines into the same number (≥ 2) of cells.

    Judged on whole lines with quotes honoured, so a title line or a date-range line
    above the header (`July 8, 2025 - July 31, 2025`) cannot outvote the table below.
    """
    best = (0, 0, ",")
    sample = [line for line in lines[:SNIFF_LINES] if line.strip()]
    for delimiter in DELIMITERS:
        widths = Counter(
            len(cells) for cells in csv.reader(sample, delimiter=delimiter) if len(cells) > 1
        )
        if widths:
            width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
            best = max(best, (count, width, delimiter))
    return best[2]


def csv_rows(
    path: Path, encoding: str | None = None, delimiter: str | None = None
) -> tuple[Rows, TextFormat]:
    """A text file's rows of cells and how it was read (`encoding`/`delimiter` override)."""
    try:
        text, used = decode_text(path.read_bytes(), encoding)
    except (UnicodeDecodeError, LookupError):
        hint = f"it is not {encoding}; fix [input] encoding" if encoding else "save it as CSV UTF-8"
        raise RoiReportsError(f"{path.name}: text encoding not recognised; {hint}") from None
    lines = text.splitlines()
    chosen = delimiter or sniff_delimiter(lines)
    rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=chosen)]
    return rows, TextFormat(used, chosen)
