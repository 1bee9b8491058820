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
# the latest day a group's rows reach (days since 1970-01-01): reports print it as their
# "Latest entry", so they need no row-level data either
LAST_DAY = "last_day"


@dataclass(frozen=True)
class FineSums:
    results: pd.DataFrame  # SPAN_COLUMNS + ENTITY_COLUMNS + RESULT_SUMS + rows + LAST_DAY
    costs: pd.DataFrame  # SPAN_COLUMNS + ENTITY_COLUMNS + category + amount + rows + LAST_DAY
    # the month indexes (first, last) the rows were read for; None: all the data. Rows
    # reaching into the window from outside are in, so period checks still see them.
    months: tuple[int, int] | None = None

    def covers(self, first: int, last: int) -> bool:
        return self.months is None or (self.months[0] <= first and last <= self.months[1])


def month_span(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "start_m": frame["start"].dt.year * 12 + frame["start"].dt.month - 1,
            "end_m": frame["end"].dt.year * 12 + frame["end"].dt.month - 1,
        },
        index=frame.index,
    )


def sum_keys(kind: str) -> list[str]:
    """The group keys of the fine sums of results or costs."""
    keys = [*SPAN_COLUMNS, *ENTITY_COLUMNS]
    return [*keys, "category"] if kind == "costs" else keys


def sum_values(kind: str) -> list[str]:
    return [*(COST_SUMS if kind == "costs" else RESULT_SUMS), "rows"]


def aggregations(kind: str) -> dict[str, str]:
    """How each value column of summable rows (or of partial sums) combines per group."""
    return {value: "sum" for value in sum_values(kind)} | {LAST_DAY: "max"}


def summable(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Canonical rows → month span, categorical keys, the values and a row count.

    Pure and row-wise, so an engine can run it on each partition separately.
    """
    keys = sum_keys(kind)
    values = sum_values(kind)[:-1]
    data = pd.concat([month_span(frame), frame[[*keys[2:], *values]]], axis=1)
    for key in keys[2:]:
        # categorical keys group several times faster than strings on big frames
        data[key] = data[key].astype("category")
    data["rows"] = 1
    data[LAST_DAY] = frame["end"].to_numpy().astype("datetime64[D]").astype("int64")
    return data


def group_sums(data: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Summable rows (or partial sums of them) → one row per key, sorted by the keys."""
    keys = sum_keys(kind)
    data = data.astype({key: "category" for key in keys[2:]})
    groups = data.groupby(keys, observed=True, dropna=False, sort=True)
    sums = groups[sum_values(kind)].sum()  # plain sum and max: faster than one .agg(dict)
    out = sums.assign(**{LAST_DAY: groups[LAST_DAY].max()}).reset_index()
    return out.astype({k: "string" for k in keys[2:]} | {"start_m": "int64", "end_m": "int64"})


def fine_sums(results: pd.DataFrame, costs: pd.DataFrame) -> FineSums:
    """Sum canonical frames (money already in the reporting currency) to month level."""
    return FineSums(
        results=group_sums(summable(results, "results"), "results"),
        costs=group_sums(summable(costs, "costs"), "costs"),
    )
