"""Files → raw tables: the entry point of ingest.

`read_file` checks limits, reads the sheets (`formats`), and hands each sheet to
`frames`, which finds its table (`layout`) and cuts what surrounds it (`preamble`).

Readers return cell values untouched (numbers, dates, text) with the Excel row number of
every data row, so validation can point at the exact cell a user sees. Typing and
checking values is validation's job, not the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from roi_reports.config import InputConfig
from roi_reports.errors import RoiReportsError
from roi_reports.ingest.filechecks import check_file_limits, formulas_without_values
from roi_reports.ingest.formats import CSV_SUFFIXES, EXCEL_SUFFIXES, csv_rows, excel_sheets
from roi_reports.ingest.frames import read_sheet
from roi_reports.ingest.layout import ReadOptions, no_data_table
from roi_reports.ingest.raw import LINE_KEY, RawTable, ReadResult, SheetReading
from roi_reports.validation import Problem

__all__ = ["LINE_KEY", "RawTable", "ReadResult", "SheetReading", "read_file"]


def read_file(
    path: Path,
    column_mapping: Mapping[str, str] | None = None,
    inputs: InputConfig | None = None,
    fiscal_year_start: int = 1,
) -> ReadResult:
    """Read every recognisable table of one input file (limits checked before parsing)."""
    inputs = inputs or InputConfig()
    if not path.exists():
        raise RoiReportsError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | CSV_SUFFIXES:
        raise RoiReportsError(
            f"{path}: unsupported file type {suffix or '(none)'}; "
            "use .xlsx, .xlsm, .xls, .ods or .csv"
        )
    check_file_limits(path, inputs)
    with ThreadPoolExecutor(1) as background:
        # the formula scan inflates the sheet XML with zlib while calamine parses it: both
        # release the GIL, so on a big workbook the scan costs no time at all
        formulas = background.submit(lambda: list(formulas_without_values(path)))
        result = ReadResult([], [], [])
        options = ReadOptions(column_mapping or {}, inputs, fiscal_year_start)
        if suffix in EXCEL_SUFFIXES:
            sheets = excel_sheets(path)
        else:
            rows, result.text_format = csv_rows(path, inputs.encoding, inputs.delimiter)
            sheets = [(path.stem, rows)]
        for sheet_name, rows in sheets:
            if len(rows) > inputs.max_rows:
                raise RoiReportsError(
                    f"{path.name} [{sheet_name}]: {len(rows):,} rows, above the limit of "
                    f"{inputs.max_rows:,}; split the file or raise [input] max_rows"
                )
            read_sheet(path.name, sheet_name, rows, options, result)
        _check_formulas(path, result, formulas.result())
    if not result.tables and not result.problems:
        result.problems.append(no_data_table(path.name, sheets, options))
    return result


def _check_formulas(path: Path, result: ReadResult, formulas: list[tuple[str, int, str]]) -> None:
    data_sheets = {table.sheet for table in result.tables}
    for sheet, row, column in formulas:
        if sheet in data_sheets:
            result.problems.append(
                Problem(
                    path.name,
                    sheet,
                    row,
                    column,
                    None,
                    "formula without a cached value",
                    f"cell {column}{row} holds a formula whose result was never saved; open "
                    "the file in Excel or LibreOffice and save it, or type the value",
                )
            )
