"""Row-per-record exports: CRM deals and shop orders → results rows.

Each won deal, or each distinct order id, is one conversion; its amount is revenue; the
number of people reached is not in such a file, so contacts are unknown (NaN, never 0).
A Shopify order with several line items repeats its name on every line and carries the
order's own figures on the first: the first line of each order is kept.

Works on typed frames (index = Excel rows), before the row rules run, so the lines that
are not a conversion (open or lost deals, an order's further line items) raise nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_reports.ingest.headers import normalise_header
from roi_reports.ingest.presets import PRESETS, WON_STATUSES


def won_mask(status: pd.Series, won: frozenset[str]) -> pd.Series:
    """Rows whose stage or payment status counts (all rows when the column is empty)."""
    if status.isna().all():
        return pd.Series(True, index=status.index)
    keys = status.astype(object).map(lambda v: normalise_header(v) if isinstance(v, str) else "")
    return keys.isin(won)


def collapse_records(frame: pd.DataFrame, preset: str | None) -> tuple[pd.Index, list[str]]:
    """Which rows (Excel row numbers) stay: the first line of each won record; and notes
    saying what was left out. `frame` holds the typed `status` and `record` columns."""
    won_statuses = PRESETS[preset].won_statuses if preset in PRESETS else WON_STATUSES
    notes: list[str] = []
    records = frame["record"]
    if records.notna().any():
        # an order's further line items repeat its id (and often leave the status blank)
        first_line = ~records.duplicated(keep="first") | records.isna()
        folded = int((~first_line).sum())
        if folded:
            notes.append(f"{folded} further line item(s) of multi-line orders folded into them")
        frame = frame[first_line.to_numpy()]
    won = won_mask(frame["status"], won_statuses)
    lost = int((~won).sum())
    if lost:
        shown = ", ".join(sorted(set(frame.loc[~won, "status"].dropna().astype(str)))[:5])
        notes.append(f"{lost} record(s) not won or not paid left out (status {shown or 'blank'})")
    return frame.index[won.to_numpy()], notes


def as_conversions(
    frame: pd.DataFrame, raw: pd.DataFrame, preset: str | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """One conversion per kept record; contacts unknown (NaN); a record without a lead
    source is counted under the platform's name as its channel (raw cells too, so the
    required-value check sees the channel)."""
    out = frame.assign(conversions=1.0, contacts=np.nan)
    notes: list[str] = []
    if preset in PRESETS and "channel" in raw:
        label = PRESETS[preset].label
        blank = out["channel"].isna()
        if blank.any():
            out["channel"] = out["channel"].fillna(label)
            raw = raw.assign(channel=raw["channel"].where(~blank.to_numpy(), label))
            notes.append(f"{int(blank.sum())} record(s) without a source counted under {label!r}")
    return out, raw, notes
