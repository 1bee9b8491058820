"""A located table → raw canonical frames: the rows between the header and the footers,
cut to the recognised columns, with what the sheet's context supplies filled in.

An ad-platform row carrying spend feeds a results table and a costs table alike (SPEC
§2). Values stay as written; typing them is `normalise`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter

import numpy as np
import pandas as pd

from roi_reports.ingest.defaults import Defaults, fill_defaults
from roi_reports.ingest.export_period import AllTime, StatedRange, stated_range
from roi_reports.ingest.formats import Rows
from roi_reports.ingest.headers import match_headers
from roi_reports.ingest.layout import (
    Layout,
    ReadOptions,
    columns_left_out,
    locate,
    missing_columns,
    named_kind,
)
from roi_reports.ingest.platform_cells import hidden_positions, read_platform_cells
from roi_reports.ingest.preamble import cut_footers, is_blank, preamble_lines, skip_totals
from roi_reports.ingest.presets import Preset
from roi_reports.ingest.raw import LINE_KEY, RawTable, ReadResult, SheetReading
from roi_reports.ingest.schemas import COSTS, SHEETS, SheetKind
from roi_reports.ingest.values import blank_mask
from roi_reports.validation import Problem


def read_sheet(file: str, sheet: str, rows: Rows, options: ReadOptions, result: ReadResult) -> None:
    """The table of one sheet, its notes and problems, added to `result`."""
    layout = locate(sheet, rows, options)
    if layout is None:
        named = named_kind(sheet, rows, options)
        if named:
            result.problems.extend(missing_columns(file, sheet, rows, named, options))
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
    tables, notes, cell_notes = _tables(file, sheet, header, body, first, layout, defaults, options)
    result.tables.extend(tables)
    counts = {table.kind: len(table.frame) for table in tables}
    preset = layout.preset
    where = f"{file} [{sheet}]"
    result.notes.extend(_sheet_notes(where, preset, options, footers, counts, notes))
    result.notes.extend(f"{where}: {note}" for note in cell_notes)
    if left_out := columns_left_out(sheet, header, layout):
        result.notes.append(f"{where}: {left_out}")
    result.sheets.append(
        SheetReading(
            sheet,
            layout.header_index + 1,
            tuple(header),
            tuple(counts),
            preset.name if preset else None,
            options.rows_for(preset),
            layout.mapping,
            preamble,
            footers,
            "; ".join(notes) or (f"[input] period {defaults.period}" if defaults.period else None),
            counts,
        )
    )


def _tables(
    file: str,
    sheet: str,
    header: list[object],
    body: Rows,
    first: int,
    layout: Layout,
    defaults: Defaults,
    options: ReadOptions,
) -> tuple[list[RawTable], list[str], list[str]]:
    """The sheet's raw tables, notes on how rows without a date got their period, and
    notes on how the preset read its own cells."""
    kinds: list[SheetKind] = [layout.kind]
    # an export row with spend feeds results and costs alike (SPEC §2)
    if (
        layout.kind == "results"
        and "amount" in match_headers(header, COSTS, layout.mapping).values()
    ):
        kinds.append("costs")
    tables: list[RawTable] = []
    notes: list[str] = []
    cell_notes: list[str] = []
    preset = layout.preset
    # a currency in any money header (`Amount spent (USD)`) is the whole row's: the
    # conversion value beside it is in the same account currency
    money = {
        p: c
        for kind in kinds
        for p, c in match_headers(header, SHEETS[kind], layout.mapping).items()
        if c in ("amount", "revenue")
    }
    for kind in kinds:
        positions = match_headers(header, SHEETS[kind], layout.mapping)
        frame = _frame(body, {**positions, **hidden_positions(header, preset)}, first)
        names = {canonical: header[position] for position, canonical in positions.items()}
        cell_notes.extend(read_platform_cells(frame, kind, preset, names))
        notes = fill_defaults(frame, kind, defaults, header, money, split=len(kinds) > 1)
        rows_kind = options.rows_for(preset) if kind == "results" else "counts"
        name = preset.name if preset else None
        tables.append(RawTable(file, sheet, kind, layout.header_index + 1, frame, name, rows_kind))
    return tables, notes, cell_notes


def _defaults(
    file: str,
    sheet: str,
    header: list[object],
    preamble: tuple[str, ...],
    layout: Layout,
    options: ReadOptions,
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
    options: ReadOptions,
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


def _frame(body: Rows, positions: Mapping[int, str], first: int) -> pd.DataFrame:
    index = pd.RangeIndex(first, first + len(body))
    names = list(positions.values())
    wide_enough = positions and min(map(len, body), default=0) > max(positions)
    if wide_enough and len(set(names)) == len(names):
        # every row reaches the last mapped column (a workbook sheet's rows are all as wide
        # as the sheet): one 2-D array of the mapped cells, half the cost of a Python list
        # per column, and no wider than the columns read
        cells = np.array(list(map(itemgetter(*positions), body)), dtype=object)
        frame = pd.DataFrame(
            cells.reshape(len(body), len(names)), index=index, columns=names, dtype=object
        )
    else:  # a text file's rows end where their last cell does
        columns = {
            canonical: [row[pos] if pos < len(row) else None for row in body]
            for pos, canonical in positions.items()
        }
        frame = pd.DataFrame(columns, dtype=object, index=index)
    blank = _blank_rows(frame)
    # the whole row, unmapped cells included, so "duplicate row" means all cells repeat
    frame[LINE_KEY] = np.fromiter(map(hash, map(tuple, body)), dtype=np.int64, count=len(body))
    return frame[~blank].copy() if blank.any() else frame


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is blank; each column is judged only on rows still blank."""
    blank = pd.Series(True, index=frame.index)
    for column in frame.columns:
        if not blank.any():
            break
        blank[blank] = blank_mask(frame.loc[blank, column]).to_numpy()
    return blank
