"""Dataset → metrics per group and period: filter → allocate → aggregate → metrics.

Pure: no I/O. One aggregation pass produces the sums of every group; every metric of
SPEC §3 is then derived from those sums, so ratios are always ratios of sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from roi_reports.aggregate import KNOWN_COUNTS, month_span
from roi_reports.config import Config, ReportConfig
from roi_reports.errors import RoiReportsError, UsageError
from roi_reports.ingest.dataset import Dataset, load_dataset, read_dataset
from roi_reports.metrics import METRICS, SUM_COLUMNS, MetricContext, compute_all, ratio
from roi_reports.org import (
    MISSING_LABEL,
    ORG_DIMENSIONS,
    org_lookup,
    require_org,
    with_org_keys,
)
from roi_reports.periods import (
    MONTHS_IN,
    TIME_DIMENSIONS,
    Period,
    PeriodKind,
    make_period,
    month_index,
    month_keys,
    parse_period,
    previous_period,
)
from roi_reports.shared_costs import allocate_shared_costs
from roi_reports.unknowns import unknown_columns

ENTITY_DIMENSIONS = ("channel", "employee", "campaign")
RESULT_COUNTS = (*KNOWN_COUNTS, "results_rows")
DIMENSIONS = (*ENTITY_DIMENSIONS, "category", *ORG_DIMENSIONS, *TIME_DIMENSIONS)
UNASSIGNED = "(unassigned)"

__all__ = [
    "DIMENSIONS",
    "Dataset",
    "compute_metrics",
    "load_dataset",
    "read_dataset",
    "resolve_period",
]


def parse_dimensions(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """`channel,month` → ('channel', 'month'); unknown names are a UsageError."""
    if text is None:
        return ()
    names = text.split(",") if isinstance(text, str) else list(text)
    dims = tuple(n.strip().lower() for n in names if n.strip())
    for dim in dims:
        if dim not in DIMENSIONS:
            raise UsageError(f"unknown dimension {dim!r}: choose from {', '.join(DIMENSIONS)}")
    if len(set(dims)) != len(dims):
        raise UsageError(f"dimension listed twice in {','.join(dims)}")
    return dims


def data_span(dataset: Dataset) -> Period | None:
    """The whole months covered by the data, for reports without --period."""
    fine = dataset.fine
    starts = pd.concat([fine.results["start_m"], fine.costs["start_m"]])
    if starts.empty:
        return None
    ends = pd.concat([fine.results["end_m"], fine.costs["end_m"]])
    first = make_period("month", int(starts.min()))
    last = make_period("month", int(ends.max()))
    return Period(first.start, last.end, "year", f"{first.label}..{last.label}")


def resolve_period(
    text: str | None, config: ReportConfig, today: date | None = None
) -> Period | None:
    if text is None:
        return None
    if today is None:
        today = config.now().date()
    return parse_period(text, today=today, fiscal_year_start=config.fiscal_year_start)


def _months(period: Period) -> tuple[int, int]:
    return (
        month_index(period.start.year, period.start.month),
        month_index(period.end.year, period.end.month),
    )


def _inside(frame: pd.DataFrame, period: Period) -> pd.Series:
    first, last = _months(period)
    return (frame["start_m"] >= first) & (frame["end_m"] <= last)


def _select(frame: pd.DataFrame, period: Period, source: pd.DataFrame, what: str) -> pd.DataFrame:
    first, last = _months(period)
    inside = _inside(frame, period)
    straddles = (frame["start_m"] <= last) & (frame["end_m"] >= first) & ~inside
    if straddles.any():
        _raise_granularity(frame[straddles], source, what, f"period {period.label}")
    return frame[inside]


def _raise_granularity(spans: pd.DataFrame, source: pd.DataFrame, what: str, target: str) -> None:
    """Name one offending input row: fine sums no longer know files and rows."""
    fix = "use a longer --period or enter those rows per day or month"
    wanted = set(zip(spans["start_m"], spans["end_m"], strict=True))
    months = month_span(source)
    hits = [pair in wanted for pair in zip(months["start_m"], months["end_m"], strict=True)]
    rows = source[hits]
    if rows.empty:  # an engine that kept only the sums (Dask): name the months instead
        first = spans.iloc[0]
        start = make_period("month", int(first["start_m"])).label
        end = make_period("month", int(first["end_m"])).label
        count = int(spans["rows"].sum()) if "rows" in spans else len(spans)
        raise RoiReportsError(
            f"{count} {what} row(s) cover more than {target}, e.g. rows for {start}..{end}; {fix}"
        )
    first = rows.iloc[0]
    raise RoiReportsError(
        f"{len(rows)} {what} row(s) cover more than {target}, e.g. {first['file']}, "
        f"sheet {first['sheet']!r}, row {int(first['row'])} "
        f"({first['start']:%Y-%m-%d}..{first['end']:%Y-%m-%d}); {fix}"
    )


def _add_time_keys(
    frame: pd.DataFrame,
    dims: Sequence[str],
    fiscal_year_start: int,
    source: pd.DataFrame,
    what: str,
) -> pd.DataFrame:
    kinds = [d for d in dims if d in TIME_DIMENSIONS]
    if not kinds:
        return frame  # nothing to add: most groupings have no time key
    frame = frame.copy()
    for kind in kinds:
        keys = month_keys(frame["start_m"], kind, fiscal_year_start)
        end_keys = month_keys(frame["end_m"], kind, fiscal_year_start)
        crosses = keys.astype(str).to_numpy() != end_keys.astype(str).to_numpy()
        if crosses.any():
            _raise_granularity(frame[crosses], source, what, f"one {kind}")
        frame[kind] = keys
    return frame


def _sums(
    results: pd.DataFrame,
    costs: pd.DataFrame,
    dims: Sequence[str],
    investment_categories: tuple[str, ...] | None,
) -> pd.DataFrame:
    """Sums per report group, results and costs joined on the group keys."""
    if investment_categories is None:
        invested = costs["amount"]
    else:
        invested = costs["amount"].where(costs["category"].isin(investment_categories), 0.0)
    costs = costs.assign(cost=costs["amount"], investment=invested)
    results = results.rename(columns={"rows": "results_rows"})
    # sums of the known values, with the counts that tell known from unknown (aggregate)
    result_cols = ["contacts", "conversions", "revenue", "gross_profit", *RESULT_COUNTS]
    cost_cols = ["cost", "investment"]
    if not dims:
        row = {c: results[c].sum() for c in result_cols} | {c: costs[c].sum() for c in cost_cols}
        return pd.DataFrame([row])
    keys = list(dims)
    grouped_results = _group_sum(results, keys, result_cols)
    grouped_costs = _group_sum(costs, keys, cost_cols)
    sums = grouped_results.merge(grouped_costs, on=keys, how="outer")
    sums[[*SUM_COLUMNS, *RESULT_COUNTS]] = sums[[*SUM_COLUMNS, *RESULT_COUNTS]].fillna(0.0)
    return sums


def _group_sum(frame: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    data = frame[[k for k in keys if k in frame] + columns].copy()
    for key in keys:
        if key not in data:  # e.g. category on results rows: never assigned
            data[key] = pd.Series(pd.NA, index=data.index, dtype="string")
        data[key] = data[key].astype("string")
    grouped = data.groupby(keys, dropna=False, sort=False)[columns].sum()
    return grouped.reset_index().astype({k: "string" for k in keys})


def _days(
    sums: pd.DataFrame,
    dims: Sequence[str],
    period: Period | None,
    data_period: Period | None,
    fiscal_year_start: int,
) -> pd.Series:
    """Calendar days of each group's period, the `days` of the annualised ROI.

    A time bucket (month, quarter, year) counts its own calendar days, clipped to the
    report period only when one was asked for: a year of data that ends in October is
    still a year, not the months the data happens to cover. Without time grouping the
    period is the report period, or else the whole months the data covers.
    """
    finest = next((k for k in ("month", "quarter", "year") if k in dims), None)
    if finest is None:
        span = period or data_period
        days = float(span.days) if span else np.nan
        return pd.Series(days, index=sums.index, dtype="float64")
    labels = sums[finest]
    lookup = {}
    for label in labels.dropna().unique():
        bucket = parse_period(str(label), fiscal_year_start=fiscal_year_start)
        start = max(bucket.start, period.start) if period else bucket.start
        end = min(bucket.end, period.end) if period else bucket.end
        lookup[label] = float((end - start).days + 1)
    return labels.map(lookup).astype("float64")


def compute_metrics(
    dataset: Dataset,
    config: Config | None = None,
    by: Sequence[str] | str | None = None,
    period: Period | str | None = None,
    compare: bool = False,
) -> pd.DataFrame:
    """One row per group: the group columns, then every metric of SPEC §3.

    Unassigned group keys (shared costs with `shared_costs = "none"`) are missing values.
    With `compare`, each metric gets `_prev`, `_change` and `_change_pct` columns for
    the previous period of the same length.
    """
    config = config or Config()
    settings = config.report
    dims = parse_dimensions(by)
    require_org(dataset.employees, dims)
    if isinstance(period, str):
        period = resolve_period(period, settings)
    current = _metrics_for(dataset, settings, dims, period)
    if compare:
        if period is None:
            raise UsageError("comparing with the previous period needs a --period")
        previous = previous_period(period, settings.fiscal_year_start)
        before = _metrics_for(dataset, settings, dims, previous)
        current = _attach_change(current, before, dims, period, settings.fiscal_year_start)
    return _attach_targets(current, dataset.targets, dims, period)


def _metrics_for(
    dataset: Dataset, settings: ReportConfig, dims: tuple[str, ...], period: Period | None
) -> pd.DataFrame:
    results, costs, gaps = dataset.fine.results, dataset.fine.costs, dataset.fine.gaps
    wanted = _months(period) if period is not None else (-1, 10**9)
    if not dataset.fine.covers(*wanted):
        # a bug in the caller, never the user's data: the engine was asked for less
        raise RuntimeError(f"the sums cover months {dataset.fine.months}, not {wanted}")
    if period is not None:
        results = _select(results, period, dataset.results, "results")
        costs = _select(costs, period, dataset.costs, "cost")
        gaps = gaps[_inside(gaps, period)]  # a part of results rows: they straddle alike
    entity_dims = allocation_dimensions(dims)
    if settings.shared_costs != "none" and entity_dims:
        costs = allocate_shared_costs(costs, results, entity_dims, settings.shared_costs)
    if any(d in ORG_DIMENSIONS for d in dims):
        lookup = org_lookup(dataset.employees)
        results = with_org_keys(results, dims, lookup)
        costs = with_org_keys(costs, dims, lookup)
        gaps = with_org_keys(gaps, dims, lookup)
    fys = settings.fiscal_year_start
    results = _add_time_keys(results, dims, fys, dataset.results, "results")
    costs = _add_time_keys(costs, dims, fys, dataset.costs, "cost")
    gaps = _add_time_keys(gaps, dims, fys, dataset.results, "results")
    sums = _sums(results, costs, dims, settings.investment_categories)
    data_period = data_span(dataset) if period is None else None
    ctx = MetricContext(settings.profit_basis, _days(sums, dims, period, data_period, fys))
    metrics = pd.concat([compute_all(sums, ctx), unknown_columns(sums, gaps, dims)], axis=1)
    table = pd.concat([sums[list(dims)], metrics], axis=1) if dims else metrics
    if settings.hurdle_roi_pct is not None:
        table["above_hurdle"] = (
            (table["roi_pct"] >= settings.hurdle_roi_pct)
            .where(table["roi_pct"].notna())
            .astype("boolean")
        )
    if dims:
        table = table.sort_values(list(dims), na_position="last", kind="stable", key=_after_named)
    return table.reset_index(drop=True)


def _after_named(keys: pd.Series) -> pd.Series:
    """Sort keys: "(no team)" after the named teams (and before the unassigned)."""
    label = MISSING_LABEL.get(str(keys.name))
    if label is None:
        return keys
    return keys.mask((keys == label).fillna(False).astype(bool), "\U0010ffff")


def allocation_dimensions(dims: Sequence[str]) -> list[str]:
    """The row keys shared costs are spread over. A team or region is the sum of its
    employees, so costs are shared among employees first: each member's figures are then
    those of the By employee table, and the team's are exactly their sum."""
    entity = [d for d in dims if d in ENTITY_DIMENSIONS]
    if any(d in ORG_DIMENSIONS for d in dims) and "employee" not in entity:
        entity.append("employee")
    return entity


def target_rows(targets: pd.DataFrame, dims: Sequence[str], period: Period | None) -> pd.DataFrame:
    """Targets that apply to this grouping and exactly this period."""
    if period is None or len(dims) > 1 or (dims and dims[0] not in ENTITY_DIMENSIONS):
        return targets.iloc[0:0]
    dimension = dims[0] if dims else "total"
    same_period = (targets["start"] == pd.Timestamp(period.start)) & (
        targets["end"] == pd.Timestamp(period.end)
    )
    return targets[same_period & (targets["dimension"] == dimension)]


def _attach_targets(
    table: pd.DataFrame, targets: pd.DataFrame, dims: tuple[str, ...], period: Period | None
) -> pd.DataFrame:
    """target_attainment_pct for groups with exactly one target metric this period."""
    table = table.copy()
    table["target_attainment_pct"] = np.nan
    applicable = target_rows(targets, dims, period)
    if applicable.empty:
        return table
    key = dims[0] if dims else None
    names = table[key].astype(object) if key else pd.Series(["total"] * len(table))
    names_key = (
        applicable["name"].astype(object)
        if key
        else pd.Series(["total"] * len(applicable), index=applicable.index)
    )
    counts = names_key.value_counts()
    for index, name in names.items():
        if name is None or pd.isna(name) or counts.get(name, 0) != 1:
            continue
        target = applicable[names_key == name].iloc[0]
        actual = table.at[index, str(target["metric"])]
        table.at[index, "target_attainment_pct"] = (
            ratio(pd.Series([actual]), pd.Series([target["target"]])).iloc[0] * 100
        )
    return table


def shift_label(kind: PeriodKind, label: str, months: int, fiscal_year_start: int) -> str:

    bucket = parse_period(label, fiscal_year_start=fiscal_year_start)
    first = month_index(bucket.start.year, bucket.start.month) + months
    return make_period(kind, first, fiscal_year_start).label


def _attach_change(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    dims: tuple[str, ...],
    period: Period,
    fiscal_year_start: int,
) -> pd.DataFrame:
    """Absolute and relative change of every metric against the previous period."""
    months = MONTHS_IN[period.kind]
    join_keys = []
    previous = previous.copy()
    for dim in dims:
        if dim in TIME_DIMENSIONS:
            if MONTHS_IN[dim] > months:
                continue  # coarser than the period: one bucket on each side, nothing to match
            previous[dim] = (
                previous[dim]
                .map(
                    lambda label, d=dim: (
                        shift_label(d, label, months, fiscal_year_start)
                        if isinstance(label, str)
                        else label
                    )
                )
                .astype("string")
            )
        join_keys.append(dim)
    metric_names = list(METRICS)
    before = previous[join_keys + metric_names].rename(
        columns={m: f"{m}_prev" for m in metric_names}
    )
    if join_keys:
        merged = current.merge(before, on=join_keys, how="left")
    else:
        merged = pd.concat([current, before.reset_index(drop=True)], axis=1)
    for name in metric_names:
        prev = merged[f"{name}_prev"].astype("float64")
        merged[f"{name}_change"] = merged[name].astype("float64") - prev
        merged[f"{name}_change_pct"] = ratio(merged[f"{name}_change"], prev.abs()) * 100
    return merged
