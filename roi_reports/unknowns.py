"""What a report group does not know: results rows without revenue or contacts, and where.

A value a file does not carry (a Google Ads lead-gen export has no conversion value; a
CRM deal report has no contacts) is unknown, never 0. The metrics use the known part
(see `metrics`); these columns say how many rows of each group are unknown and which
files they came from, so every output can say that a figure is partial, and why.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from roi_reports.aggregate import MAY_BE_UNKNOWN

UNKNOWN_COLUMNS = (
    "results_rows",
    "revenue_unknown_rows",
    "revenue_unknown_in",
    "contacts_unknown_rows",
    "contacts_unknown_in",
)


def unknown_columns(sums: pd.DataFrame, gaps: pd.DataFrame, dims: Sequence[str]) -> pd.DataFrame:
    """Per group (the rows of `sums`): results rows, unknown rows and their files.

    `sums` holds the report groups' sums (`results_rows` and the known counts); `gaps`
    the unknown rows per file, already keyed by the same `dims`.
    """
    out = pd.DataFrame(index=sums.index)
    out["results_rows"] = sums["results_rows"].astype("int64")
    for value, known in MAY_BE_UNKNOWN.items():
        out[f"{value}_unknown_rows"] = (sums["results_rows"] - sums[known]).astype("int64")
        out[f"{value}_unknown_in"] = _files(sums, gaps[gaps[f"{value}_unknown"] > 0], dims)
    return out


def _files(sums: pd.DataFrame, gaps: pd.DataFrame, dims: Sequence[str]) -> pd.Series:
    """The files of the gaps of each group, as `a.csv, b.xlsx` (None when there are none)."""
    if not dims:
        names = ", ".join(sorted(set(gaps["file"].dropna().astype(str))))
        return pd.Series([names or None] * len(sums), index=sums.index, dtype=object)
    keys = list(dims)
    data = gaps.reindex(columns=[*keys, "file"]).astype("string")
    listed = (
        data.groupby(keys, dropna=False, sort=False)["file"]
        .agg(lambda files: ", ".join(sorted(set(files.dropna()))))
        .rename("files")
        .reset_index()
    )
    found = sums[keys].astype("string").merge(listed, on=keys, how="left")["files"]
    return pd.Series(found.to_numpy(dtype=object), index=sums.index).where(found.notna().to_numpy())
