"""Spread shared costs (blank channel/employee/campaign) over the groups of a report.

Works on month-level fine sums (see `aggregate`). A cost is shared along a dimension
when that dimension is blank. It is allocated within its own period (the month of a
dated row, or the period it was entered for) among the
groups active in that period that match what the cost does say (a LinkedIn cost with no
employee goes to the people who worked LinkedIn), in proportion to their revenue, cost
or contacts, or evenly (SPEC §4). Money is split in cents with the largest-remainder
method, so the parts add up exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import pandas as pd

from roi_reports.allocation import largest_remainder, to_cents

ENTITY_COLUMNS = ("channel", "employee", "campaign")
UNKNOWN = ""  # stands for a blank key inside activity tables, so groupby keeps the row
BASIS_COLUMN = {"revenue": "revenue", "contacts": "contacts", "cost": "amount", "even": None}


def _activity(
    results: pd.DataFrame,
    direct: pd.DataFrame,
    dims: list[str],
    span: tuple[Any, Any],
    basis: str,
) -> pd.DataFrame:
    """Every active entity combination inside the span, with its basis weight."""
    start, end = span
    frames = []
    for frame, value in (
        (results, "revenue" if basis == "revenue" else "contacts"),
        (direct, "amount"),
    ):
        inside = frame[(frame["start_m"] >= start) & (frame["end_m"] <= end)]
        weight = inside[value] if BASIS_COLUMN[basis] == value else 0.0
        frames.append(inside[list(ENTITY_COLUMNS)].assign(weight=weight))
    activity = pd.concat(frames, ignore_index=True).dropna(subset=dims)
    activity = activity.astype({c: "string" for c in ENTITY_COLUMNS}).fillna(
        {c: UNKNOWN for c in ENTITY_COLUMNS}
    )
    grouped = activity.groupby(list(ENTITY_COLUMNS), sort=True)["weight"].sum()
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
    shared = costs[shared_mask]
    # fine sums are per month (dated rows) or per entered period: that is the span
    group_cols = ["start_m", "end_m", *ENTITY_COLUMNS, "category"]
    pooled = shared.groupby(group_cols, dropna=False, sort=True)["amount"].sum().reset_index()
    activity_cache: dict[tuple[Any, Any], pd.DataFrame] = {}
    pieces: list[pd.DataFrame] = []
    for pool in pooled.to_dict("records"):
        span = (pool["start_m"], pool["end_m"])
        if span not in activity_cache:
            activity_cache[span] = _activity(results, direct, dims, span, basis)
        pieces.append(_split_pool(pool, activity_cache[span], dims))
    allocated = pd.concat(pieces, ignore_index=True)
    allocated = allocated.astype({c: "string" for c in (*ENTITY_COLUMNS, "category")})
    return pd.concat([direct, allocated.reindex(columns=costs.columns)], ignore_index=True)


def _matching(
    active: pd.DataFrame, pool: Mapping[Hashable, Any], columns: Sequence[str]
) -> pd.DataFrame:
    for column in columns:
        if not pd.isna(pool[column]):
            active = active[active[column] == str(pool[column])]
    return active


def _split_pool(
    pool: Mapping[Hashable, Any], active: pd.DataFrame, dims: list[str]
) -> pd.DataFrame:
    """One pooled shared amount → its parts among the matching active groups.

    Groups must match every key the cost names; if none does (e.g. the results sheet
    has no campaign column), matching on the report's own dimensions is enough.
    """
    candidates = _matching(active, pool, ENTITY_COLUMNS)
    if candidates.empty:
        candidates = _matching(active, pool, dims)
    weights = candidates.groupby(dims, sort=True)["weight"].sum().reset_index()
    # credit notes and refunds can leave a group's revenue or cost negative in a period:
    # it then weighs nothing (a negative share would charge the others more than the cost)
    weights["weight"] = weights["weight"].clip(lower=0.0)
    known = {c: pool[c] for c in ENTITY_COLUMNS if c not in dims}
    common = {"start_m": pool["start_m"], "end_m": pool["end_m"], "category": pool["category"]}
    if weights.empty:  # nobody to share with: keep it visible as unassigned
        return pd.DataFrame(
            [common | {c: pool[c] for c in ENTITY_COLUMNS} | {"amount": pool["amount"]}]
        )
    cents = largest_remainder(to_cents(float(pool["amount"])), weights["weight"].to_numpy())
    part = weights[dims].copy()
    part["amount"] = cents / 100.0
    for key, value in (common | known).items():
        part[key] = value
    return part
