"""Where a sheet's table is: the header row and the kind of table that fit best, the
preset that reads it, and — when nothing fits — the closest header row and what it lacks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from roi_reports.config import InputConfig
from roi_reports.ingest.export_period import AllTime, stated_range
from roi_reports.ingest.formats import Rows
from roi_reports.ingest.headers import (
    kinds_for_sheet_name,
    match_headers,
    missing_required,
    score_headers,
)
from roi_reports.ingest.platform_cells import range_positions
from roi_reports.ingest.preamble import is_blank, line_text
from roi_reports.ingest.presets import PRESETS, Preset, RowsKind, detect_preset
from roi_reports.ingest.schemas import SHEETS, SheetKind
from roi_reports.validation import Problem

HEADER_SCAN_ROWS = 30
INPUT_SHEETS_HINT = (
    "see README 'Input sheets', and run `roi-reports inspect FILE` to see how it is read"
)


@dataclass(frozen=True)
class ReadOptions:
    """The settings that decide how a file's tables are read."""

    mapping: Mapping[str, str]  # [columns]
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
class Layout:
    header_index: int  # 0-based
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


def named_kind(sheet: str, rows: Rows, options: ReadOptions) -> SheetKind | None:
    """The kind a sheet's name says. `people` fits two (employees, then stakeholders): it is
    a stakeholders sheet when its header row has a scope column, or a formats column and no
    column only an employees sheet has (team, region, manager), so a recipients list named
    people.csv keeps its scopes. Only the header row counts: a team called "Scope" in a data
    row does not. (The [columns] mapping counts; no export preset maps these headers.)"""
    named = kinds_for_sheet_name(sheet)
    if len(named) < 2:
        return named[0] if named else None
    usual, other = named
    header = _people_header(rows, named, options)
    mine = match_headers(header, SHEETS[other], options.mapping)
    theirs = match_headers(header, SHEETS[usual], options.mapping)
    own = {column for position, column in mine.items() if position not in theirs}
    only_usual = [position for position in theirs if position not in mine]
    signature = own.intersection(SHEETS[other].signature)
    return other if "scope" in own or (signature and not only_usual) else usual


def _people_header(rows: Rows, kinds: Sequence[SheetKind], options: ReadOptions) -> list[object]:
    """The first of the first rows with the most columns either kind recognises."""

    def recognised(row: list[object]) -> int:
        matched = (match_headers(row, SHEETS[kind], options.mapping) for kind in kinds)
        return len(set().union(*matched))

    return max(rows[:HEADER_SCAN_ROWS], key=recognised, default=[])


def columns_left_out(sheet: str, header: list[object], layout: Layout) -> str:
    """For a sheet whose name fits two kinds: the header cells only the other kind reads,
    left out of the table `layout` reads (e.g. the team column of a people sheet read as
    stakeholders), matched with the mapping that table was read with."""
    kind = layout.kind
    others = [k for k in kinds_for_sheet_name(sheet) if k != kind]
    if not others:
        return ""
    read = match_headers(header, SHEETS[kind], layout.mapping)
    left = {
        position
        for other in others
        for position in match_headers(header, SHEETS[other], layout.mapping)
        if position not in read
    }
    if not left:
        return ""
    shown = ", ".join(repr(str(header[position])) for position in sorted(left))
    return (
        f"read as {'an' if kind[0] in 'aeiou' else 'a'} {kind} sheet, so its column(s) "
        f"{shown} are not read: keep "
        f"{' and '.join(others)} in a sheet or file of their own (e.g. named {others[0]})"
    )


def locate(sheet: str, rows: Rows, options: ReadOptions) -> Layout | None:
    """The header row and sheet kind that fit best within the first rows."""
    named = named_kind(sheet, rows, options)
    kinds = [named] if named else list(SHEETS)
    best: Layout | None = None
    above: list[str] = []  # the lines above this one
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        stated = _states_period(above)
        preset = options.preset_for(row)
        mapping = options.mapping_for(preset)
        own_range = bool(preset and range_positions(row, preset))
        provided = options.provided(preset, stated or own_range)
        for kind in kinds:
            score = score_headers(row, SHEETS[kind], mapping, provided, bool(named))
            if score > 0 and (best is None or score > best.score):
                best = Layout(index, kind, mapping, preset, score)
        if text := line_text(row):
            above.append(text)
    return best


def no_data_table(file: str, sheets: list[tuple[str, Rows]], options: ReadOptions) -> Problem:
    """The "no data table" problem: the closest header row found and what it lacks."""
    names = ", ".join(repr(name) for name, _ in sheets) or "none"
    closest = _closest_header(sheets, options)
    if closest is None:
        hint = (
            f"no results, costs, targets or fx_rates table found (sheets: {names}); name a "
            f"sheet 'results' or 'costs', or give it the columns of a results or costs "
            f"table; {INPUT_SHEETS_HINT}"
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
            f"one period; {INPUT_SHEETS_HINT}"
        )
        return Problem(file, sheet, row, None, None, "no data table", hint)
    hint = (
        f"the closest header row is row {row} ({shown}): as a {kind} table it lacks "
        f"{', '.join(missing)}; add those columns or map your headers to them in [columns]"
        f" (or set [input] period when the whole file is one period); {INPUT_SHEETS_HINT}"
    )
    return Problem(file, sheet, row, None, None, "no data table", hint)


def _closest_header(
    sheets: list[tuple[str, Rows]], options: ReadOptions
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


def missing_columns(
    file: str, sheet: str, rows: Rows, kind: SheetKind, options: ReadOptions
) -> list[Problem]:
    """Why a sheet named for a kind (`results`, `Kosten`) holds no table of that kind."""
    spec = SHEETS[kind]
    mapping = options.mapping
    if not any(not is_blank(v) for row in rows for v in row):
        hint = f"the {kind} sheet has no rows; fill it in or delete the sheet"
        return [Problem(file, sheet, None, None, None, "empty sheet", hint)]
    # the row that looks most like a header: the first with the most recognised columns
    candidates = rows[:HEADER_SCAN_ROWS]
    header_index = max(
        range(len(candidates)),
        key=lambda i: (len(match_headers(candidates[i], spec, mapping)), -i),
    )
    present = match_headers(candidates[header_index], spec, mapping).values()
    return [
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
        for missing in missing_required(spec, present, options.provided(None, False))
    ]
