"""The heavy step on Dask: every piece read, converted and summed where it is, in parallel.

Each piece becomes one partition (`dask.dataframe.from_map`), typed and converted by the
same functions the pandas engine runs; the group sums with categorical keys are then
computed and only that small result comes back. The full rows never leave the workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from roi_reports.aggregate import (
    FineSums,
    aggregations,
    empty_gaps,
    gap_rows,
    group_gaps,
    group_sums,
    sum_keys,
    summable,
)
from roi_reports.config import EngineConfig
from roi_reports.engine.cluster import dask_client
from roi_reports.engine.pieces import (
    CurrencyChoice,
    Piece,
    RowKind,
    Rules,
    currency_labels,
    piece_errors,
    summable_piece,
)
from roi_reports.ingest.normalise import empty_frame
from roi_reports.validation import Problem

KINDS: tuple[RowKind, ...] = ("results", "costs")


def _meta(kind: RowKind) -> pd.DataFrame:
    meta = summable(empty_frame(kind), kind)
    meta["invalid"] = pd.Series(dtype="int64")
    return meta


def grouped_sums(pieces: list[Piece], kind: RowKind, rules: Rules) -> tuple[Any, Any, Any]:
    """Lazy: (group sums per fine key, total error count, gaps or None) of these pieces."""
    import dask.dataframe as dd

    rows = dd.from_map(summable_piece, pieces, rules=rules, meta=_meta(kind))
    keys, combine = sum_keys(kind), aggregations(kind)
    grouped = rows.groupby(keys, observed=True, dropna=False)[list(combine)]
    sums = grouped.agg(combine, split_out=1)
    gaps = None
    if kind == "results":  # rows with an unknown value: few, counted per key and file
        counts = ["rows", "revenue_rows", "contacts_rows"]
        unknown = gap_rows(rows).groupby([*keys, "file"], observed=True, dropna=False)[counts]
        gaps = unknown.agg(dict.fromkeys(counts, "sum"), split_out=1)
    return sums, rows["invalid"].sum(), gaps


def pieces_of(pieces: Sequence[Piece], kind: RowKind) -> list[Piece]:
    return [p for p in pieces if p.kind == kind]


def dask_fine_sums(
    pieces: Sequence[Piece],
    rules: Rules,
    engine: EngineConfig,
    months: tuple[int, int] | None,
    choose_currency: CurrencyChoice | None = None,
) -> tuple[FineSums, list[Problem], Rules]:
    """Fine sums of every piece, the errors of its rows (gathered only if there are any),
    and the rules they were converted with: with `choose_currency`, the workers first
    report the currencies their pieces name (one column each), and the choice reports."""
    import dask

    # partitions keep the dtypes they were given (categorical keys); converting their text
    # to Arrow strings first would cost a pass over every row for nothing
    with dask_client(engine) as client, dask.config.set({"dataframe.convert-string": False}):
        if choose_currency is not None:
            named = client.map(currency_labels, list(pieces), columns=rules.columns, pure=False)
            rules = replace(rules, currency=choose_currency(client.gather(named)))
        kinds = [k for k in KINDS if any(p.kind == k for p in pieces)]
        lazy = [grouped_sums(pieces_of(pieces, k), k, rules) for k in kinds]
        # one graph (the client is the default scheduler): each piece is read once
        done = dask.compute(*lazy)
        computed = dict(zip(kinds, done, strict=True))
        errors: list[Problem] = []
        if any(int(invalid) for _, invalid, _ in computed.values()):
            futures = client.map(piece_errors, list(pieces), rules=rules, pure=False)
            errors = [p for found in client.gather(futures) for p in found]
    frames = {
        kind: group_sums(computed[kind][0].reset_index(), kind)
        if kind in computed
        else group_sums(summable(empty_frame(kind), kind), kind)
        for kind in KINDS
    }
    gaps = computed["results"][2] if "results" in computed else None
    found = empty_gaps() if gaps is None else group_gaps(gaps.reset_index())
    return FineSums(frames["results"], frames["costs"], months, found), errors, rules
