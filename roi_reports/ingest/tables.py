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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from roi_reports.config import InputConfig
from roi_reports.errors import RoiReportsError
from roi_reports.ingest.defaults import (
    Defaults,
    fill_defaults,
    range_positions,
    zero_platform_blanks,
)
from roi_reports.ingest.export_period import AllTime, StatedRange, stated_range
from roi_reports.ingest.filechecks import check_file_limits, formulas_without_values
from roi_reports.ingest.formats import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    Rows,
    TextFormat,
    csv_rows,
    excel_sheets,
)
from roi_reports.ingest.preamble import (
    cut_footers,
    is_blank,
    line_text,
    preamble_lines,
    skip_totals,
)
from roi_reports.ingest.presets import PRESETS, Preset, RowsKind, detect_preset
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
    rows: RowsKind = "counts"  # "records": each row is one deal or order


@dataclass(frozen=True)
class SheetReading:
    """How one sheet was read: what `roi-reports inspect` shows."""

    sheet: str
    header_row: int  # 1-based
    header: tuple[object, ...]
    kinds: tuple[SheetKind, ...]
    preset: str | None
    rows: RowsKind
    mapping: Mapping[str, str]  # header → canonical, preset and [columns] together
    preamble: tuple[str, ...]
    footers: tuple[str, ...]
    period: str | None  # how rows without a date got their period
    row_counts: Mapping[SheetKind, int]


@dataclass
class ReadResult:
    tables: list[RawTable]
    problems: list[Problem]
    notes: list[str]
    sheets: list[SheetReading] = field(default_factory=list)
    text_format: TextFormat | None = None


def read_file(
    path: Path,
    column_mapping: Mapping[str, str] | None = None,
    inputs: InputConfig | None = None,
    fiscal_year_start: int = 1,
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
        result = ReadResult([], [], [])
        options = _Options(mapping, inputs, fiscal_year_start)
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
            _find_table(path.name, sheet_name, rows, options, result)
        _check_formulas(path, result, formulas.result())
    if not result.tables and not result.problems:
        result.problems.append(no_data_table(path.name, sheets, options))
    return result


def no_data_table(file: str, sheets: list[tuple[str, Rows]], options: _Options) -> Problem:
    """The "no data table" problem: the closest header row found and what it lacks."""
    names = ", ".join(repr(name) for name, _ in sheets) or "none"
    closest = _closest_header(sheets, options)
    where = "see README 'Input sheets', and run `roi-reports inspect FILE` to see how it is read"
    if closest is None:
        hint = (
            f"no results, costs, targets or fx_rates table found (sheets: {names}); name a "
            f"sheet 'results' or 'costs', or give it the columns of a results or costs "
            f"table; {where}"
        )
        return Problem(file, None, None, None, None, "no data table", hint)
    sheet, row, kind, header, missing = closest
    shown = ", ".join(str(h) for h in header if not is_blank(h))
    export = options.preset_for(header)
    if export and missing == ["date or period"]:
        hint = (
            f"row {row} ({shown}) looks like a {export.label} export without a date column "
            "or a date-range line above it: export it with the Day (or Week / Reporting "
            'starts) column, or set [input] period, e.g. "2026-10", when the whole file is '
            f"one period; {where}"
        )
        return Problem(file, sheet, row, None, None, "no data table", hint)
    hint = (
        f"the closest header row is row {row} ({shown}): as a {kind} table it lacks "
        f"{', '.join(missing)}; add those columns or map your headers to them in [columns]"
        f" (or set [input] period when the whole file is one period); {where}"
    )
    return Problem(file, sheet, row, None, None, "no data table", hint)


def _closest_header(
    sheets: list[tuple[str, Rows]], options: _Options
) -> tuple[str, int, SheetKind, list[object], list[str]] | None:
    best: tuple[int, int, str, int, SheetKind, list[object], list[str]] | None = None
    for sheet, rows in sheets:
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            preset = options.preset_for(row)
            mapping = options.mapping_for(preset)
            for kind in ("results", "costs"):
                spec = SHEETS[kind]
                present = set(match_headers(row, spec, mapping).values())
                missing = missing_required(spec, present, options.provided(preset, False))
                score = (len(present), -len(missing))
                if present and (best is None or score > best[:2]):
                    best = (*score, sheet, index + 1, kind, row, missing)
    return best[2:] if best else None


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
    fiscal_year_start: int = 1

    def preset_for(self, header: list[object]) -> Preset | None:
        choice = self.inputs.preset
        if choice == "none":
            return None
        return PRESETS[choice] if choice in PRESETS else detect_preset(header)

    def mapping_for(self, preset: Preset | None) -> Mapping[str, str]:
        return {**preset.columns, **self.mapping} if preset else self.mapping

    def rows_for(self, preset: Preset | None) -> RowsKind:
        return preset.rows if preset else self.inputs.rows

    def provided(self, preset: Preset | None, stated_period: bool) -> set[str]:
        """Columns that defaults supply when a sheet lacks them.

        A platform export may lack revenue (a lead-gen account has no conversion value):
        its results are still read, with revenue unknown (ingest/unknown.py). A team's
        own sheet without revenue stays an error.
        """
        provided = {"channel"} if preset or self.inputs.channel else set()
        if preset:
            provided.add("revenue")
        if self.inputs.period or stated_period:
            provided.add("period")
        if self.rows_for(preset) == "records":
            provided |= {"contacts", "conversions"}
        return provided


@dataclass(frozen=True)
class _Layout:
    header_index: int
    kind: SheetKind
    mapping: Mapping[str, str]
    preset: Preset | None
    score: int


def _states_period(lines: list[str]) -> bool:
    """Whether the lines above a header state the export's range (or say "All time")."""
    try:
        return stated_range(lines) is not None
    except AllTime:
        return True  # located anyway, so the error can ask for [input] period


def _locate(sheet: str, rows: list[list[object]], options: _Options) -> _Layout | None:
    """The header row and sheet kind that fit best within the first rows."""
    named_kind = kind_for_sheet_name(sheet)
    kinds = [named_kind] if named_kind else list(SHEETS)
    best: _Layout | None = None
    above: list[str] = []  # the lines above this one
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        stated = _states_period(above)
        preset = options.preset_for(row)
        mapping = options.mapping_for(preset)
        own_range = bool(preset and range_positions(row, preset))
        provided = options.provided(preset, stated or own_range)
        for kind in kinds:
            score = score_headers(row, SHEETS[kind], mapping, provided, bool(named_kind))
            if score > 0 and (best is None or score > best.score):
                best = _Layout(index, kind, mapping, preset, score)
        if text := line_text(row):
            above.append(text)
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
    preamble = preamble_lines(rows, layout.header_index)
    body = rows[layout.header_index + 1 :]
    data_end, footers = cut_footers(body, sum(not is_blank(h) for h in header))
    body = body[:data_end]
    body = body[: len(body) - skip_totals(file, sheet, body, first, result.problems)]
    defaults = _defaults(file, sheet, header, preamble, layout, options)
    if isinstance(defaults, Problem):
        result.problems.append(defaults)
        return
    kinds: list[SheetKind] = [layout.kind]
    # an export row with spend feeds results and costs alike (SPEC §2)
    if (
        layout.kind == "results"
        and "amount" in match_headers(header, COSTS, layout.mapping).values()
    ):
        kinds.append("costs")
    notes: list[str] = []
    counts: dict[SheetKind, int] = {}
    preset = layout.preset
    for kind in kinds:
        positions = match_headers(header, SHEETS[kind], layout.mapping)
        frame = _frame(body, {**positions, **range_positions(header, preset)}, first)
        if preset and preset.blank_is_zero:
            zero_platform_blanks(frame, kind)
        notes = fill_defaults(frame, kind, defaults, header, positions, split=len(kinds) > 1)
        rows_kind = options.rows_for(preset) if kind == "results" else "counts"
        name = preset.name if preset else None
        result.tables.append(
            RawTable(file, sheet, kind, layout.header_index + 1, frame, name, rows_kind)
        )
        counts[kind] = len(frame)
    where = f"{file} [{sheet}]"
    result.notes.extend(_sheet_notes(where, preset, options, footers, counts, notes))
    result.sheets.append(
        SheetReading(
            sheet,
            layout.header_index + 1,
            tuple(header),
            tuple(kinds),
            preset.name if preset else None,
            options.rows_for(preset),
            layout.mapping,
            preamble,
            footers,
            "; ".join(notes) or (f"[input] period {defaults.period}" if defaults.period else None),
            counts,
        )
    )


def _defaults(
    file: str,
    sheet: str,
    header: list[object],
    preamble: tuple[str, ...],
    layout: _Layout,
    options: _Options,
) -> Defaults | Problem:
    """What the sheet's context supplies; a problem when the export covers "All time"
    and its rows have no dates (no period can be told)."""
    stated: StatedRange | None = None
    try:
        stated = stated_range(preamble)
    except AllTime as exc:
        columns = set(match_headers(header, SHEETS[layout.kind], layout.mapping).values())
        if not options.inputs.period and not columns & {"date", "period"}:
            return Problem(
                file,
                sheet,
                None,
                None,
                exc.line,
                "no period",
                f"the export covers {exc.line!r}, not one period, and its rows have no "
                "dates; export one month (or quarter) or a Day column, or set [input] "
                'period, e.g. "2026-10", to the period it covers',
            )
    return Defaults(
        options.inputs.channel,
        options.inputs.period,
        layout.preset,
        stated,
        options.fiscal_year_start,
    )


def _sheet_notes(
    where: str,
    preset: Preset | None,
    options: _Options,
    footers: tuple[str, ...],
    counts: Mapping[SheetKind, int],
    period_notes: list[str],
) -> list[str]:
    notes = []
    if preset:
        channel = options.inputs.channel or (
            "from its channel column" if preset.channel_from_column else repr(preset.label)
        )
        notes.append(f"{where}: read as a {preset.name} export (channel {channel})")
    notes.extend(f"{where}: {note}" for note in period_notes)
    if footers:
        notes.append(f"{where}: footer lines left out: " + " | ".join(footers))
    if counts and not any(counts.values()):
        notes.append(f"{where}: the export has no data rows (zero rows read)")
    return notes


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
    for missing in missing_required(spec, present, options.provided(None, False)):
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
