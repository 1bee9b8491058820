"""`roi-reports inspect`: how each file is read, as plain data (JSON-ready dicts).

For every file: its encoding and delimiter (text files), and per sheet the preamble and
footer lines, the header row, the preset, every source column with the canonical column
it feeds or why it is ignored, the period rows without a date got, the currency, the
rows per table, and a ready-to-paste `[columns]` block for the columns not placed.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from roi_reports.config import Config
from roi_reports.ingest.dataset import FileTables, read_raw, type_tables
from roi_reports.ingest.headers import (
    IGNORE,
    header_lookup,
    match_headers,
    normalise_header,
    split_header_currency,
)
from roi_reports.ingest.preamble import is_blank
from roi_reports.ingest.presets import PRESETS, Preset
from roi_reports.ingest.raw import ReadResult, SheetReading
from roi_reports.ingest.schemas import SHEETS

_TAB = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}
NOT_READ = "not a column roi-reports reads"


def inspect_file(path: Path, config: Config) -> dict[str, Any]:
    """How one file is read (never raises for a bad file: the problem is reported)."""
    read = read_raw(path, config)
    typed = type_tables(path, read, config)
    if not isinstance(read, ReadResult):
        return {"file": path.name, "sheets": [], "problems": [read.one_line()]}
    text = read.text_format
    return {
        "file": path.name,
        "encoding": text.encoding if text else None,
        "delimiter": _TAB.get(text.delimiter, text.delimiter) if text else None,
        "sheets": [_sheet(reading, typed, config) for reading in read.sheets],
        "notes": list(typed.notes),
        "problems": [p.one_line() for p in typed.problems if p.severity == "error"][:10],
    }


def _sheet(reading: SheetReading, typed: FileTables, config: Config) -> dict[str, Any]:
    columns = column_uses(reading)
    unplaced = [c["source"] for c in columns if c["column"] is None and c["why"] == NOT_READ]
    return {
        "sheet": reading.sheet,
        "header_row": reading.header_row,
        "preset": reading.preset,
        "rows_are": reading.rows,
        "preamble": list(reading.preamble),
        "footers": list(reading.footers),
        "columns": columns,
        "period": reading.period or _date_span(typed, reading),
        "currency": _currency(typed, reading, config),
        "rows": {kind: _typed_rows(typed, reading, kind) for kind in reading.kinds},
        "columns_block": columns_block(unplaced, reading.kinds),
    }


def column_uses(reading: SheetReading) -> list[dict[str, Any]]:
    """Every source header with the canonical column it feeds, or None and why not."""
    placed: dict[int, str] = {}
    for kind in reading.kinds:
        placed.update(match_headers(reading.header, SHEETS[kind], reading.mapping))
    source = f"{reading.preset} preset" if reading.preset else "alias"
    configured = {normalise_header(k): v for k, v in reading.mapping.items()}
    preset_keys = set()
    if reading.preset:
        preset_keys = {normalise_header(k) for k in PRESETS[reading.preset].columns}
    uses = []
    for position, header in enumerate(reading.header):
        if is_blank(header):
            continue
        key = normalise_header(header)
        canonical = placed.get(position)
        if canonical:
            bare = split_header_currency(header)[0]  # `Amount spent (EUR)` is the preset's
            why = source if bare in preset_keys else "[columns]" if key in configured else "alias"
            if key == canonical:
                why = "canonical name"
        else:
            why = _ignored_why(key, reading, placed, configured)
        # `read`: the preset reads it beside the canonical columns (a range, an indicator)
        read = bool(canonical) or why.endswith(" preset)")
        uses.append({"source": str(header), "column": canonical, "why": why, "read": read})
    return uses


def _ignored_why(
    key: str, reading: SheetReading, placed: dict[int, str], configured: dict[str, str]
) -> str:
    if configured.get(key) == IGNORE:
        preset = PRESETS.get(reading.preset or "")
        if (
            preset
            and {normalise_header(h): c for h, c in preset.columns.items()}.get(key) == IGNORE
        ):
            return f"the {reading.preset} preset leaves it out"  # a Customer is no employee
        return '[columns] says "ignore"'
    if reading.preset and (use := preset_cell_use(PRESETS[reading.preset], key)):
        return f"{use} ({reading.preset} preset)"
    for kind in reading.kinds:
        target = header_lookup(SHEETS[kind], reading.mapping).get(key)
        if target:
            other = next(str(reading.header[p]) for p, c in placed.items() if c == target)
            return f"{other!r} already feeds {target} (the leftmost header wins)"
    return NOT_READ


def preset_cell_use(preset: Preset, key: str) -> str | None:
    """What a preset reads a header for beside the canonical columns (`platform_cells`)."""
    uses = {normalise_header(h): "each row's reporting range" for h in preset.range_columns or ()}
    if preset.result_indicator:
        uses[normalise_header(preset.result_indicator)] = "which results are conversions"
    for column, header in preset.fallbacks.items():
        uses[normalise_header(header)] = f"the {column} where its own cell is blank"
    return uses.get(key)


def columns_block(unplaced: list[str], kinds: tuple[str, ...] = ("results", "costs")) -> str:
    """`[columns]` lines for headers not placed: a close alias's column, else "ignore"."""
    if not unplaced:
        return ""
    guesses = {
        normalise_header(alias): column.name
        for kind in kinds
        for column in SHEETS[kind].columns  # type: ignore[index]
        for alias in (column.name, *column.aliases)
    }
    lines = ["[columns]"]
    for header in unplaced:
        guess = difflib.get_close_matches(normalise_header(header), list(guesses), 1, 0.8)
        target = guesses[guess[0]] if guess else IGNORE
        escaped = header.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'"{escaped}" = "{target}"')
    return "\n".join(lines)


def _frame_rows(typed: FileTables, reading: SheetReading, kind: str) -> Any:
    frame = typed.frames.get(kind)  # type: ignore[call-overload]
    if frame is None:
        return None
    return frame[frame["sheet"] == reading.sheet]


def _typed_rows(typed: FileTables, reading: SheetReading, kind: str) -> int:
    rows = _frame_rows(typed, reading, kind)
    return 0 if rows is None else len(rows)


def _date_span(typed: FileTables, reading: SheetReading) -> str | None:
    rows = _frame_rows(typed, reading, reading.kinds[0])
    if rows is None or "start" not in rows or rows.empty or rows["start"].isna().all():
        return None
    return f"rows dated {rows['start'].min():%Y-%m-%d} – {rows['end'].max():%Y-%m-%d}"


def _currency(typed: FileTables, reading: SheetReading, config: Config) -> str:
    found: set[str] = set()
    for kind in reading.kinds:
        rows = _frame_rows(typed, reading, kind)
        if rows is not None and "currency" in rows:
            found |= set(rows["currency"].dropna().astype(str))
    if not found:
        return f"{config.report.currency} (no currency in the file: the reporting currency)"
    return ", ".join(sorted(found))


def inspection_text(found: dict[str, Any]) -> str:
    """The table form of one file's inspection."""
    lines = [f"file: {found['file']}"]
    if found.get("encoding"):
        lines.append(f"  encoding {found['encoding']}, delimiter {found['delimiter']}")
    for sheet in found["sheets"]:
        rows = ", ".join(f"{kind} {count} rows" for kind, count in sheet["rows"].items())
        preset = sheet["preset"] or "none (a team sheet)"
        lines += [
            f"  sheet {sheet['sheet']!r}: header row {sheet['header_row']}, preset {preset}, "
            f"rows are {sheet['rows_are']}; {rows}",
            f"    period:   {sheet['period'] or '(from each row)'}",
            f"    currency: {sheet['currency']}",
        ]
        lines += [f"    preamble: {line}" for line in sheet["preamble"]]
        lines += [f"    footer:   {line}" for line in sheet["footers"]]
        width = max((len(c["source"]) for c in sheet["columns"]), default=0)
        lines.append("    columns:")
        for column in sheet["columns"]:
            if column["column"]:
                use = f"{column['column']} ({column['why']})"
            else:  # read by the preset for something else, or ignored
                use = column["why"] if column["read"] else f"ignored ({column['why']})"
            lines.append(f"      {column['source']:<{width}}  → {use}")
        if sheet["columns_block"]:
            lines.append("    columns it could not place, ready to paste into roi-reports.toml:")
            lines += [f"      {line}" for line in sheet["columns_block"].splitlines()]
    lines += [f"  note: {note}" for note in found.get("notes", [])]
    lines += [f"  problem: {problem}" for problem in found.get("problems", [])]
    return "\n".join(lines)
