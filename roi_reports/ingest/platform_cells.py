"""How a platform export's own cells are read, before any value is typed.

- platform blanks: in recognised ad-platform exports an empty metric cell, `--`, `—` or
  `N/A` is 0 (Meta leaves a zero cell empty); a team's own sheet keeps blanks as errors;
- per-row ranges: Meta's `Reporting starts` / `Reporting ends` columns, read into hidden
  columns so rows without a date take their own range (see `defaults`);
- results that are not conversions: Meta's `Results` count whatever the campaign
  optimises for; a row whose `Result indicator` is a post engagement, a profile visit or
  reach counts 0 conversions, and a note says how many results were left out;
- fallback columns: where a mapped cell is blank, another header's cell stands in (a
  Shopify order marked paid without a `Paid at` is dated by its `Created at`).

Hidden columns (`_range_start`, `_indicator`, `_fallback_…`) ride in the raw frame and
are consumed here or by `defaults`; none reaches the typed tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from roi_reports.ingest.presets import Preset, column_positions
from roi_reports.ingest.schemas import SHEETS, SheetKind
from roi_reports.ingest.values import blank_mask, to_numbers

PLATFORM_BLANKS = frozenset({"--", "—", "–", "-", "n/a", "na", " "})
_METRIC_TYPES = ("count", "money")
RANGE_START, RANGE_END = "_range_start", "_range_end"  # hidden: a row's own range
INDICATOR = "_indicator"  # hidden: what the row's results are
FALLBACK = "_fallback_"  # hidden prefix: the cell that stands in for a blank one
# result indicators that are conversions: purchases, leads, sign-ups (Meta writes e.g.
# `actions:offsite_conversion.fb_pixel_purchase`, `actions:onsite_conversion.lead_grouped`)
CONVERSION_RESULTS = re.compile(
    r"purchase|lead|complete_registration|subscribe|start_trial|submit_application|schedule",
    re.IGNORECASE,
)


def hidden_positions(header: list[object], preset: Preset | None) -> dict[int, str]:
    """Where the cells a preset reads beside the canonical columns sit in the header."""
    if preset is None:
        return {}
    wanted: dict[str, str] = {FALLBACK + c: h for c, h in preset.fallbacks.items()}
    if preset.result_indicator:
        wanted[INDICATOR] = preset.result_indicator
    if preset.range_columns:
        wanted[RANGE_START], wanted[RANGE_END] = preset.range_columns
    found = column_positions(header, list(wanted.values()))
    positions = {p: hidden for p, hidden in zip(found, wanted, strict=True) if p is not None}
    if {RANGE_START, RANGE_END} - set(positions.values()):  # a range needs both ends
        positions = {p: h for p, h in positions.items() if h not in (RANGE_START, RANGE_END)}
    return positions


def range_positions(header: list[object], preset: Preset | None) -> dict[int, str]:
    """Where a preset's per-row range columns sit (Meta `Reporting starts`/`ends`)."""
    return {
        p: h for p, h in hidden_positions(header, preset).items() if h in (RANGE_START, RANGE_END)
    }


def read_platform_cells(
    frame: pd.DataFrame, kind: SheetKind, preset: Preset | None, names: Mapping[str, object]
) -> list[str]:
    """The preset's reading of its own cells, in place; notes on what it changed.

    `names`: canonical column → the header it was read from, for the notes.
    """
    notes: list[str] = []
    if preset and preset.blank_is_zero:
        zero_platform_blanks(frame, kind)
    if INDICATOR in frame:
        notes.extend(_results_that_are_not_conversions(frame, frame.pop(INDICATOR)))
    for hidden in [c for c in frame.columns if str(c).startswith(FALLBACK)]:
        notes.extend(_fall_back(frame, hidden, preset, names))
    return notes


def zero_platform_blanks(frame: pd.DataFrame, kind: SheetKind) -> None:
    """Empty metric cells of a platform export → 0 (in place)."""
    for column in SHEETS[kind].columns:
        if column.type not in _METRIC_TYPES or column.name not in frame:
            continue
        values = frame[column.name]
        dashes = values.map(lambda v: isinstance(v, str) and v.strip().lower() in PLATFORM_BLANKS)
        empty = blank_mask(values) | dashes.astype(bool)
        if empty.any():
            frame[column.name] = values.where(~empty, 0)


def _results_that_are_not_conversions(frame: pd.DataFrame, indicator: pd.Series) -> list[str]:
    if "conversions" not in frame:
        return []
    said = indicator.map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)
    other = said.notna() & ~said.astype("string").str.contains(CONVERSION_RESULTS, na=False)
    if not other.any():
        return []
    results = to_numbers(frame.loc[other, "conversions"])[0].fillna(0).sum()
    frame.loc[other, "conversions"] = 0
    kinds = sorted(set(said[other].astype(str)))
    shown = ", ".join(kinds[:3]) + (", …" if len(kinds) > 3 else "")
    return [
        f"{int(other.sum())} row(s) whose results are not conversions ({shown}): "
        f"{results:g} results not counted as conversions"
    ]


def _fall_back(
    frame: pd.DataFrame, hidden: str, preset: Preset | None, names: Mapping[str, object]
) -> list[str]:
    stand_in = frame.pop(hidden)
    column = hidden[len(FALLBACK) :]
    if column not in frame or preset is None:
        return []
    blank = blank_mask(frame[column]) & ~blank_mask(stand_in)
    if not blank.any():
        return []
    frame[column] = frame[column].where(~blank, stand_in)
    # say it for the rows that carry figures of their own (an order's first line, not the
    # further line items that only repeat its name)
    carrying = blank & ~blank_mask(frame["status"]) if "status" in frame else blank
    if not carrying.any():
        return []
    return [
        f"{int(carrying.sum())} row(s) with no {names.get(column, column)} took it from "
        f"{preset.fallbacks[column]}"
    ]
