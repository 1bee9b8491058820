"""The one heavy step: every input row summed into month-level "fine sums".

Periods are whole months, quarters or years, so summing rows per (first month, last
month, channel, employee, campaign[, category]) loses nothing any report needs: period
filters, time grouping, shared-cost allocation and every metric then run on this small
frame. This is the seam where another engine (e.g. Dask) can compute the same sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ENTITY_COLUMNS = ("channel", "employee", "campaign")
SPAN_COLUMNS = ("start_m", "end_m")  # month indexes (year * 12 + month - 1), inclusive
RESULT_SUMS = ("contacts", "conversions", "revenue", "gross_profit")
COST_SUMS = ("amount",)


@dataclass(frozen=True)
class FineSums:
    results: pd.DataFrame  # SPAN_COLUMNS + ENTITY_COLUMNS + RESULT_SUMS + rows
    costs: pd.DataFrame  # SPAN_COLUMNS + ENTITY_COLUMNS + category + amount + rows


def month_span(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start_m": frame["start"].dt.year * 12 + frame["start"].dt.month - 1,
            "end_m": frame["end"].dt.year * 12 + frame["end"].dt.month - 1,
        },
        index=frame.index,
    )


def _sum_by(frame: pd.DataFrame, keys: list[str], values: tuple[str, ...]) -> pd.DataFrame:
    data = pd.concat([month_span(frame), frame[[*keys[2:], *values]]], axis=1)
    for key in keys[2:]:
        # categorical keys group several times faster than strings on big frames
        data[key] = data[key].astype("category")
    data["rows"] = 1
    grouped = data.groupby(keys, observed=True, dropna=False, sort=True)[[*values, "rows"]].sum()
    out = grouped.reset_index()
    return out.astype({k: "string" for k in keys[2:]} | {"start_m": "int64", "end_m": "int64"})


def fine_sums(results: pd.DataFrame, costs: pd.DataFrame) -> FineSums:
    """Sum canonical frames (money already in the reporting currency) to month level."""
    result_keys = [*SPAN_COLUMNS, *ENTITY_COLUMNS]
    cost_keys = [*result_keys, "category"]
    return FineSums(
        results=_sum_by(results, result_keys, RESULT_SUMS),
        costs=_sum_by(costs, cost_keys, COST_SUMS),
    )
