"""Spread shared costs (blank channel/employee/campaign) over the groups of a report.

A cost is shared along a dimension when that dimension is blank. It is allocated within
its own period (the month of a dated row, or the period it was entered for) among the
groups that match its known keys and have activity in that period, in proportion to
their revenue, cost or contacts, or evenly (SPEC §4). Money is split in cents with the
largest-remainder method, so the parts add up exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import pandas as pd

from roi_reports.allocation import largest_remainder, to_cents

BASIS_COLUMN = {"revenue": "revenue", "contacts": "contacts", "cost": "amount", "even": None}


def _allocation_span(costs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """A dated cost is shared within its month; a period cost within its period."""
    dated = costs["start"] == costs["end"]
    month_start = costs["start"].dt.to_period("M").dt.start_time
    month_end = costs["start"].dt.to_period("M").dt.end_time.dt.normalize()
    return month_start.where(dated, costs["start"]), month_end.where(dated, costs["end"])


def _activity(
    results: pd.DataFrame,
    direct: pd.DataFrame,
    dims: list[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
    basis: str,
) -> pd.DataFrame:
    """Groups with results or direct costs inside the span, with their basis weight."""
    frames = []
    for frame, value in (
        (results, "revenue" if basis == "revenue" else "contacts"),
        (direct, "amount"),
    ):
        inside = frame[(frame["start"] >= start) & (frame["end"] <= end)]
        weight = inside[value] if BASIS_COLUMN[basis] == value else 0.0
        frames.append(inside[dims].assign(weight=weight))
    activity = pd.concat(frames, ignore_index=True).dropna(subset=dims)
    grouped = activity.astype({d: str for d in dims}).groupby(dims, sort=True)["weight"].sum()
    return grouped.reset_index()


def allocate_shared_costs(
    costs: pd.DataFrame, results: pd.DataFrame, dims: Sequence[str], basis: str
) -> pd.DataFrame:
    """Costs with shared rows replaced by their allocated parts (same total, in cents).

    A shared amount with no matching active group in its period stays unassigned.
    """
    dims = list(dims)
    shared_mask = costs[dims].isna().any(axis=1)
    if not shared_mask.any():
        return costs
    direct = costs[~shared_mask]
    shared = costs[shared_mask].copy()
    shared["span_start"], shared["span_end"] = _allocation_span(shared)
    group_cols = ["span_start", "span_end", *dims, "category"]
    pooled = shared.groupby(group_cols, dropna=False, sort=True)["amount"].sum().reset_index()
    activity_cache: dict[tuple[Any, Any], pd.DataFrame] = {}
    pieces: list[pd.DataFrame] = []
    for pool in pooled.to_dict("records"):
        span = (pool["span_start"], pool["span_end"])
        if span not in activity_cache:
            activity_cache[span] = _activity(results, direct, dims, *span, basis)
        pieces.append(_split_pool(pool, activity_cache[span], dims))
    allocated = pd.concat(pieces, ignore_index=True)
    allocated["file"], allocated["sheet"], allocated["row"] = "(allocated)", "", 0
    allocated = allocated.astype({d: "string" for d in dims} | {"category": "string"})
    return pd.concat([direct, allocated.reindex(columns=costs.columns)], ignore_index=True)


def _split_pool(
    pool: Mapping[Hashable, Any], active: pd.DataFrame, dims: list[str]
) -> pd.DataFrame:
    """One pooled shared amount → its parts among the matching active groups."""
    candidates = active
    for dim in dims:
        known = pool[dim]
        if not pd.isna(known):
            candidates = candidates[candidates[dim] == str(known)]
    common = {"start": pool["span_start"], "end": pool["span_end"], "category": pool["category"]}
    if candidates.empty:  # nobody to share with: keep it visible as unassigned
        return pd.DataFrame([common | {d: pool[d] for d in dims} | {"amount": pool["amount"]}])
    cents = largest_remainder(to_cents(float(pool["amount"])), candidates["weight"].to_numpy())
    part = candidates[dims].copy()
    part["amount"] = cents / 100.0
    for key, value in common.items():
        part[key] = value
    return part
