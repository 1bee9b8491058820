"""Files → raw tables: which sheets hold which kind of data, where the header row is.

Readers return cell values untouched (numbers, dates, text) with the Excel row number of
every data row, so validation can point at the exact cell a user sees. Typing and
checking values is validation's job, not the reader's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from roi_reports.errors import RoiReportsError
from roi_reports.schemas import (
    SHEETS,
    SheetKind,
    kind_for_sheet_name,
    match_headers,
    missing_required,
    score_headers,
)
from roi_reports.validation import Problem

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class RawTable:
    """One recognised table: canonical column → raw cell values, plus Excel row numbers."""

    file: str
    sheet: str
    kind: SheetKind
    header_row: int  # 1-based, as Excel shows it
    frame: pd.DataFrame  # canonical column names, object values; index = Excel row numbers


@dataclass
class ReadResult:
    tables: list[RawTable]
    problems: list[Problem]
    notes: list[str]


def read_file(path: Path, column_mapping: Mapping[str, str] | None = None) -> ReadResult:
    """Read every recognisable table of one input file."""
    mapping = column_mapping or {}
    if not path.exists():
        raise RoiReportsError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        sheets = _excel_sheets(path)
    elif suffix in CSV_SUFFIXES:
        sheets = [(path.stem, _csv_rows(path))]
    else:
        raise RoiReportsError(
            f"{path}: unsupported file type {suffix or '(none)'}; "
            "use .xlsx, .xlsm, .xls, .ods or .csv"
        )
    result = ReadResult([], [], [])
    for sheet_name, rows in sheets:
        _find_table(path.name, sheet_name, rows, mapping, result)
    if not result.tables and not result.problems:
        names = ", ".join(repr(name) for name, _ in sheets) or "none"
        result.problems.append(
            Problem(
                path.name,
                None,
                None,
                None,
                None,
                "no data table",
                f"no results, costs, targets or fx_rates table found (sheets: {names}); "
                "name a sheet 'results' or 'costs', or give it the headers of SPEC §2",
            )
        )
    return result


def _excel_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for corrupt files
        raise RoiReportsError(
            f"{path}: not a readable spreadsheet ({exc}); save it again as .xlsx"
        ) from None
    sheets: list[tuple[str, list[list[Any]]]] = []
    for name in workbook.sheet_names:
        # skip_empty_area=False keeps row 1 at index 0, so Excel row numbers stay exact
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheets.append((name, rows))
    return sheets


def _csv_rows(path: Path) -> list[list[object]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_table(
    file: str,
    sheet: str,
    rows: list[list[object]],
    mapping: Mapping[str, str],
    result: ReadResult,
) -> None:
    named_kind = kind_for_sheet_name(sheet)
    best: tuple[int, int, SheetKind] | None = None  # (score, row index, kind)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        kinds = [named_kind] if named_kind else list(SHEETS)
        for kind in kinds:
            score = score_headers(row, SHEETS[kind], mapping)
            if score > 0 and (best is None or score > best[0]):
                best = (score, index, kind)
    if best is None:
        if named_kind:
            _report_missing_columns(file, sheet, rows, named_kind, mapping, result)
        elif any(not _is_blank(v) for row in rows for v in row):
            result.notes.append(f"{file} [{sheet}]: not a data table, skipped")
        return
    _, header_index, kind = best
    header = rows[header_index]
    positions = match_headers(header, SHEETS[kind], mapping)
    body = rows[header_index + 1 :]
    columns = {
        canonical: [row[pos] if pos < len(row) else None for row in body]
        for pos, canonical in positions.items()
    }
    frame = pd.DataFrame(columns, dtype=object)
    frame.index = pd.RangeIndex(header_index + 2, header_index + 2 + len(body))
    blank = frame.map(_is_blank).all(axis=1) if len(frame) else pd.Series(dtype=bool)
    frame = frame[~blank]
    result.tables.append(RawTable(file, sheet, kind, header_index + 1, frame))


def _report_missing_columns(
    file: str,
    sheet: str,
    rows: list[list[object]],
    kind: SheetKind,
    mapping: Mapping[str, str],
    result: ReadResult,
) -> None:
    spec = SHEETS[kind]
    if not any(not _is_blank(v) for row in rows for v in row):
        result.problems.append(
            Problem(
                file,
                sheet,
                None,
                None,
                None,
                "empty sheet",
                f"the {kind} sheet has no rows; fill it in or delete the sheet",
            )
        )
        return
    # the row that looks most like a header: the first with the most recognised columns
    candidates = rows[:HEADER_SCAN_ROWS]
    header_index = max(
        range(len(candidates)),
        key=lambda i: (len(match_headers(candidates[i], spec, mapping)), -i),
    )
    present = match_headers(candidates[header_index], spec, mapping).values()
    for missing in missing_required(spec, present):
        result.problems.append(
            Problem(
                file,
                sheet,
                header_index + 1,
                missing,
                None,
                "required column missing",
                f"add a column headed '{missing}' to the {kind} sheet "
                "(or map your header to it in [columns])",
            )
        )
