"""How a platform export's own cells are read, before any value is typed.

- platform blanks: in recognised ad-platform exports an empty metric cell, `--`, `—` or
  `N/A` is 0 (Meta leaves a zero cell empty); a team's own sheet keeps blanks as errors;
- per-row ranges: Meta's `Reporting starts` / `Reporting ends` columns, read into hidden
  columns so rows without a date take their own range (see `defaults`).
"""

from __future__ import annotations

import pandas as pd

from roi_reports.ingest.presets import Preset, column_positions
from roi_reports.ingest.schemas import SHEETS, SheetKind
from roi_reports.ingest.values import blank_mask

PLATFORM_BLANKS = frozenset({"--", "—", "–", "-", "n/a", "na", " "})
_METRIC_TYPES = ("count", "money")


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


RANGE_START, RANGE_END = "_range_start", "_range_end"  # hidden: a row's own range


def range_positions(header: list[object], preset: Preset | None) -> dict[int, str]:
    """Where a preset's per-row range columns sit (Meta `Reporting starts`/`ends`)."""
    if preset is None or preset.range_columns is None:
        return {}
    starts, ends = column_positions(header, preset.range_columns)
    if starts is None or ends is None:
        return {}
    return {starts: RANGE_START, ends: RANGE_END}
