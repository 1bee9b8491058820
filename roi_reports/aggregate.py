"""The one heavy step: every input row summed into month-level "fine sums".

Periods are whole months, quarters or years, so summing rows per (first month, last
month, channel, employee, campaign[, category]) loses nothing any report needs: period
filters, time grouping, shared-cost allocation and every metric then run on this small
frame. This is the seam where another engine (e.g. Dask) can compute the same sums.

A missing (NaN) revenue, gross profit or contacts value is *unknown*, not 0. The sums
add the known values only, so they also count how many rows knew each value
(`revenue_rows`, `contacts_rows`) and the conversions of those rows: a group whose rows
know none is unknown, and ratios pair only figures of the same rows (see `metrics`).
The gaps table says which files the unknown rows came from, so reports can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ENTITY_COLUMNS = ("channel", "employee", "campaign")
SPAN_COLUMNS = ("start_m", "end_m")  # month indexes (year * 12 + month - 1), inclusive
RESULT_SUMS = ("contacts", "conversions", "revenue", "gross_profit")
# per group: the rows whose revenue / contacts is known, and the conversions of those rows
KNOWN_COUNTS = (
    "revenue_rows",
    "contacts_rows",
    "conversions_with_revenue",
    "conversions_with_contacts",
)
# the results values that may be unknown, each with the count of rows that know it
MAY_BE_UNKNOWN = {"revenue": "revenue_rows", "contacts": "contacts_rows"}
COST_SUMS = ("amount",)
GAP_COLUMNS = (*SPAN_COLUMNS, *ENTITY_COLUMNS, "file", "revenue_unknown", "contacts_unknown")
# the latest day a group's rows reach (days since 1970-01-01): reports print it as their
# "Latest entry", so they need no row-level data either
LAST_DAY = "last_day"


@dataclass(frozen=True)
class FineSums:
    results: (
        pd.DataFrame
    )  # SPAN_COLUMNS + ENTITY_COLUMNS + RESULT_SUMS + KNOWN_COUNTS + rows + LAST_DAY
    costs: pd.DataFrame  # SPAN_COLUMNS + ENTITY_COLUMNS + category + amount + rows + LAST_DAY
    # the month indexes (first, last) the rows were read for; None: all the data. Rows
    # reaching into the window from outside are in, so period checks still see them.
    months: tuple[int, int] | None = None
    # results rows with an unknown value, counted per fine key and file (GAP_COLUMNS)
    gaps: pd.DataFrame = field(default_factory=lambda: empty_gaps())

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
    return [*(COST_SUMS if kind == "costs" else (*RESULT_SUMS, *KNOWN_COUNTS)), "rows"]


def aggregations(kind: str) -> dict[str, str]:
    """How each value column of summable rows (or of partial sums) combines per group."""
    return {value: "sum" for value in sum_values(kind)} | {LAST_DAY: "max"}


def summable(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Canonical rows → month span, categorical keys, the values and a row count.

    Pure and row-wise, so an engine can run it on each partition separately.
    """
    keys = sum_keys(kind)
    values = COST_SUMS if kind == "costs" else RESULT_SUMS
    data = pd.concat([month_span(frame), frame[[*keys[2:], *values]]], axis=1)
    for key in keys[2:]:
        # categorical keys group several times faster than strings on big frames
        data[key] = data[key].astype("category")
    if kind == "results":
        data = data.assign(**known_counts(frame))
        data["file"] = gap_files(frame, data)
    data["rows"] = 1
    data[LAST_DAY] = frame["end"].to_numpy().astype("datetime64[D]").astype("int64")
    return data


def known_counts(results: pd.DataFrame) -> dict[str, pd.Series]:
    """Per row: 1 where revenue / contacts is known, and the conversions of such rows."""
    revenue_known = results["revenue"].notna()
    contacts_known = results["contacts"].notna()
    return {
        "revenue_rows": revenue_known.astype("int64"),
        "contacts_rows": contacts_known.astype("int64"),
        "conversions_with_revenue": results["conversions"].where(revenue_known, 0.0),
        "conversions_with_contacts": results["conversions"].where(contacts_known, 0.0),
    }


NO_FILES = pd.CategoricalDtype(pd.Index([], dtype=object))  # text categories, none yet


def gap_files(frame: pd.DataFrame, data: pd.DataFrame) -> pd.Series:
    """The file of each row with an unknown value (missing elsewhere: only gaps need it)."""
    unknown = (data["revenue_rows"] == 0) | (data["contacts_rows"] == 0)
    if not unknown.any():  # the usual case: no file names to categorise
        return pd.Series(np.nan, index=frame.index, dtype=NO_FILES)
    return frame["file"].where(unknown).astype(object).astype("category")


def empty_gaps() -> pd.DataFrame:
    return pd.DataFrame(
        {
            column: pd.Series(
                dtype="int64" if column not in (*ENTITY_COLUMNS, "file") else "string"
            )
            for column in GAP_COLUMNS
        }
    )


def gap_rows(data: pd.DataFrame) -> pd.DataFrame:
    """The summable results rows (or partial sums) that have an unknown value."""
    return data[(data["revenue_rows"] < data["rows"]) | (data["contacts_rows"] < data["rows"])]


def group_gaps(data: pd.DataFrame) -> pd.DataFrame:
    """Summable results rows with unknowns (or partial sums of them) → counts per key and file."""
    if data.empty:
        return empty_gaps()
    keys = [*sum_keys("results"), "file"]
    data = data.astype({key: "category" for key in keys[2:]})
    counts = ["rows", "revenue_rows", "contacts_rows"]
    sums = data.groupby(keys, observed=True, dropna=False, sort=True)[counts].sum()
    sums["revenue_unknown"] = sums["rows"] - sums["revenue_rows"]
    sums["contacts_unknown"] = sums["rows"] - sums["contacts_rows"]
    out = sums.reset_index()[list(GAP_COLUMNS)]
    return out.astype(
        {k: "string" for k in keys[2:]}
        | {
            "start_m": "int64",
            "end_m": "int64",
            "revenue_unknown": "int64",
            "contacts_unknown": "int64",
        }
    )


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
    rows = summable(results, "results")
    return FineSums(
        results=group_sums(rows, "results"),
        costs=group_sums(summable(costs, "costs"), "costs"),
        gaps=group_gaps(gap_rows(rows)),
    )
