"""Files → raw tables: which sheets hold which kind of data, where the header row is.

The entry point of ingest: `read_file` checks limits, reads the sheets (formats),
finds each table's header and kind (presets, schemas), and cuts what surrounds it
(preamble).

Readers return cell values untouched (numbers, dates, text) with the Excel row number of
every data row, so validation can point at the exact cell a user sees. Typing and
checking values is validation's job, not the reader's.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from roi_reports.config import InputConfig
from roi_reports.errors import RoiReportsError
from roi_reports.ingest.filechecks import check_file_limits, formulas_without_values
from roi_reports.ingest.formats import CSV_SUFFIXES, EXCEL_SUFFIXES, Rows, csv_rows, excel_sheets
from roi_reports.ingest.preamble import is_blank, skip_totals
from roi_reports.ingest.presets import PRESETS, Preset, detect_preset, header_currency
from roi_reports.ingest.schemas import (
    COSTS,
    SHEETS,
    SheetKind,
    kind_for_sheet_name,
    match_headers,
    missing_required,
    score_headers,
)
from roi_reports.ingest.values import blank_mask
from roi_reports.validation import Problem

HEADER_SCAN_ROWS = 30
AD_SPEND = "ad spend"
LINE_KEY = "_line"  # hidden column: hash of all cells of the row as written


@dataclass(frozen=True)
class RawTable:
    """One recognised table: canonical column → raw cell values, plus Excel row numbers."""

    file: str
    sheet: str
    kind: SheetKind
    header_row: int  # 1-based, as Excel shows it
    frame: pd.DataFrame  # canonical column names, object values; index = Excel row numbers
    preset: str | None = None  # the export preset the table was read with


@dataclass
class ReadResult:
    tables: list[RawTable]
    problems: list[Problem]
    notes: list[str]


def read_file(
    path: Path,
    column_mapping: Mapping[str, str] | None = None,
    inputs: InputConfig | None = None,
) -> ReadResult:
    """Read every recognisable table of one input file (limits checked before parsing)."""
    mapping = column_mapping or {}
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
        sheets = excel_sheets(path) if suffix in EXCEL_SUFFIXES else [(path.stem, csv_rows(path))]
        result = ReadResult([], [], [])
        for sheet_name, rows in sheets:
            if len(rows) > inputs.max_rows:
                raise RoiReportsError(
                    f"{path.name} [{sheet_name}]: {len(rows):,} rows, above the limit of "
                    f"{inputs.max_rows:,}; split the file or raise [input] max_rows"
                )
            _find_table(path.name, sheet_name, rows, _Options(mapping, inputs), result)
        _check_formulas(path, result, formulas.result())
    if not result.tables and not result.problems:
        names = ", ".join(repr(name) for name, _ in sheets) or "none"
        export = _undated_export(sheets)
        hint = (
            f"this looks like a {export.channel} export without a date column: export it "
            "with the Day (or Week / Reporting starts) column, or set [input] period, e.g. "
            '"2026-10", when the whole file is one period'
            if export
            else f"no results, costs, targets or fx_rates table found (sheets: {names}); "
            "name a sheet 'results' or 'costs', or give it the headers of SPEC §2"
        )
        result.problems.append(Problem(path.name, None, None, None, None, "no data table", hint))
    return result


def _undated_export(sheets: list[tuple[str, Rows]]) -> Preset | None:
    """An ad-platform export recognised by its headers (read only when it has dates)."""
    for _, rows in sheets:
        for row in rows[:HEADER_SCAN_ROWS]:
            if found := detect_preset(row):
                return found
    return None


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


@dataclass(frozen=True)
class _Options:
    mapping: Mapping[str, str]
    inputs: InputConfig

    def preset_for(self, header: list[object]) -> Preset | None:
        choice = self.inputs.preset
        if choice == "none":
            return None
        return PRESETS[choice] if choice in PRESETS else detect_preset(header)

    def provided(self, preset: Preset | None) -> set[str]:
        """Columns that defaults supply when a sheet lacks them."""
        provided = {"channel"} if preset or self.inputs.channel else set()
        return provided | ({"period"} if self.inputs.period else set())


@dataclass(frozen=True)
class _Layout:
    header_index: int
    kind: SheetKind
    mapping: Mapping[str, str]
    preset: Preset | None
    score: int


def _locate(sheet: str, rows: list[list[object]], options: _Options) -> _Layout | None:
    """The header row and sheet kind that fit best within the first rows."""
    named_kind = kind_for_sheet_name(sheet)
    kinds = [named_kind] if named_kind else list(SHEETS)
    best: _Layout | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        preset = options.preset_for(row)
        mapping = {**preset.columns, **options.mapping} if preset else options.mapping
        provided = options.provided(preset)
        for kind in kinds:
            score = score_headers(row, SHEETS[kind], mapping, provided)
            if score > 0 and (best is None or score > best.score):
                best = _Layout(index, kind, mapping, preset, score)
    return best


def _find_table(
    file: str, sheet: str, rows: list[list[object]], options: _Options, result: ReadResult
) -> None:
    layout = _locate(sheet, rows, options)
    if layout is None:
        named_kind = kind_for_sheet_name(sheet)
        if named_kind:
            _report_missing_columns(file, sheet, rows, named_kind, options, result)
        elif any(not is_blank(v) for row in rows for v in row):
            result.notes.append(f"{file} [{sheet}]: not a data table, skipped")
        return
    header = rows[layout.header_index]
    first = layout.header_index + 2  # Excel row of the first data row
    body = rows[layout.header_index + 1 :]
    body = body[: len(body) - skip_totals(file, sheet, body, first, result.problems)]
    kinds: list[SheetKind] = [layout.kind]
    # an export row with spend feeds results and costs alike (SPEC §2)
    if (
        layout.kind == "results"
        and "amount" in match_headers(header, COSTS, layout.mapping).values()
    ):
        kinds.append("costs")
    for kind in kinds:
        positions = match_headers(header, SHEETS[kind], layout.mapping)
        frame = _frame(body, positions, first)
        _fill_defaults(frame, kind, options, layout, header, positions, split=len(kinds) > 1)
        preset = layout.preset.name if layout.preset else None
        result.tables.append(RawTable(file, sheet, kind, layout.header_index + 1, frame, preset))
    if layout.preset:
        result.notes.append(
            f"{file} [{sheet}]: read as a {layout.preset.name} export "
            f"(channel {options.inputs.channel or layout.preset.channel!r})"
        )


def _frame(body: list[list[object]], positions: Mapping[int, str], first: int) -> pd.DataFrame:
    columns = {
        canonical: [row[pos] if pos < len(row) else None for row in body]
        for pos, canonical in positions.items()
    }
    frame = pd.DataFrame(columns, dtype=object, index=pd.RangeIndex(first, first + len(body)))
    blank = _blank_rows(frame)
    # the whole row, unmapped cells included, so "duplicate row" means all cells repeat
    frame[LINE_KEY] = np.fromiter(map(hash, map(tuple, body)), dtype=np.int64, count=len(body))
    return frame[~blank].copy()


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is blank; each column is judged only on rows still blank."""
    blank = pd.Series(True, index=frame.index)
    for column in frame.columns:
        if not blank.any():
            break
        blank[blank] = blank_mask(frame.loc[blank, column]).to_numpy()
    return blank


def _fill_defaults(
    frame: pd.DataFrame,
    kind: SheetKind,
    options: _Options,
    layout: _Layout,
    header: list[object],
    positions: Mapping[int, str],
    split: bool,
) -> None:
    """Constant columns for what the sheet leaves out: channel, period, currency, category."""
    if kind not in ("results", "costs"):
        return
    channel = options.inputs.channel or (layout.preset.channel if layout.preset else None)
    if "channel" not in frame and channel:
        frame["channel"] = channel
    if "date" not in frame and "period" not in frame and options.inputs.period:
        frame["period"] = options.inputs.period
    money = [p for p, c in positions.items() if c in ("amount", "revenue")]
    currency = header_currency(header, money)
    if "currency" not in frame and currency:
        frame["currency"] = currency
    if split and kind == "costs" and "category" not in frame:
        frame["category"] = AD_SPEND


def _report_missing_columns(
    file: str,
    sheet: str,
    rows: list[list[object]],
    kind: SheetKind,
    options: _Options,
    result: ReadResult,
) -> None:
    spec = SHEETS[kind]
    mapping = options.mapping
    if not any(not is_blank(v) for row in rows for v in row):
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
    for missing in missing_required(spec, present, options.provided(None)):
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
