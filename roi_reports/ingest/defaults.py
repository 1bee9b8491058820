"""What a recognised table leaves out, filled in as constant or derived columns.

- channel: `[input] channel`, else the platform (`Google Ads`) for exports without one;
- period: `[input] period`, else the export's own stated range (its date-range line, or
  Meta's `Reporting starts`/`Reporting ends` per row), mapped onto the smallest month,
  quarter or year that contains it (see `export_period`);
- currency: named in a money header, `Amount spent (EUR)`, for the whole row;
- category: `ad spend` for the cost half of an ad-platform row.

How a platform's own cells are read (blanks, per-row ranges) is `platform_cells`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from roi_reports.ingest.export_period import (
    StatedRange,
    containing_period,
    containing_periods,
    describe,
)
from roi_reports.ingest.platform_cells import RANGE_END, RANGE_START
from roi_reports.ingest.presets import Preset, header_currency
from roi_reports.ingest.schemas import SheetKind
from roi_reports.ingest.values import to_dates

AD_SPEND = "ad spend"


@dataclass(frozen=True)
class Defaults:
    """What the sheet's context supplies: settings, the preset, the stated range."""

    channel: str | None  # [input] channel
    period: str | None  # [input] period
    preset: Preset | None
    stated: StatedRange | None
    fiscal_year_start: int = 1

    @property
    def default_channel(self) -> str | None:
        return self.channel or (self.preset.label if self.preset else None)


def fill_defaults(
    frame: pd.DataFrame,
    kind: SheetKind,
    defaults: Defaults,
    header: list[object],
    money: Mapping[int, str],
    split: bool,
) -> list[str]:
    """Constant columns for what the sheet leaves out; returns notes on what was assumed.

    `money`: where the row's money headers sit, whose currency suffix is the row's."""
    notes: list[str] = []
    if kind in ("results", "costs"):
        if "channel" not in frame and defaults.default_channel:
            frame["channel"] = defaults.default_channel
        if "date" not in frame and "period" not in frame:
            notes.extend(_fill_period(frame, defaults))
        currency = header_currency(header, money)
        if "currency" not in frame and currency:
            frame["currency"] = currency
        if split and kind == "costs" and "category" not in frame:
            frame["category"] = AD_SPEND
    for hidden in (RANGE_START, RANGE_END):
        if hidden in frame:
            del frame[hidden]
    return notes


def _fill_period(frame: pd.DataFrame, defaults: Defaults) -> list[str]:
    if defaults.period:
        frame["period"] = defaults.period
        return []
    if RANGE_START in frame and RANGE_END in frame:
        starts, ends = to_dates(frame[RANGE_START])[0], to_dates(frame[RANGE_END])[0]
        labels, notes = containing_periods(starts, ends, defaults.fiscal_year_start)
        frame["period"] = labels
        return [f"rows without a date: {note} (Reporting starts/ends)" for note in notes]
    stated = defaults.stated
    if stated is None:
        return []
    found = containing_period(stated.start, stated.end, defaults.fiscal_year_start)
    frame["period"] = found.label
    range_text = describe(stated.start, stated.end, found)
    return [f"rows without a date: {range_text}, the range the export states ({stated.source})"]
