"""The report model: every number a report shows, computed once for one period and scope.

Excel and PDF renderers read this model and never compute metrics themselves, so the
workbook, the PDFs and the JSON output cannot disagree.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, cast

import pandas as pd

from roi_reports.aggregate import LAST_DAY
from roi_reports.config import Config
from roi_reports.fsutil import sha256_file
from roi_reports.ingest.dataset import Dataset
from roi_reports.metrics import METRICS
from roi_reports.org import ORG_DIMENSIONS, has_dimension, org_warnings
from roi_reports.periods import Period, make_period, month_index, previous_period
from roi_reports.pipeline import compute_metrics, target_rows
from roi_reports.reports.sanity import Flag, sanity_flags
from roi_reports.scopes import Scope as Scope  # re-exported: reports import it from here
from roi_reports.scopes import ScopeKind as ScopeKind
from roi_reports.validation import Problem

TREND_MONTHS = 12
EPOCH = date(1970, 1, 1)  # day 0 of the fine sums' LAST_DAY
RANKED = 3  # how many top and bottom groups a report names
# the cost column a scope's rows are picked by: a team's rows are those of its employees
SCOPE_COST_KEYS = {
    "channel": "channel",
    "campaign": "campaign",
    "employee": "employee",
    "team": "employee",
}


@dataclass(frozen=True)
class InputFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ReportModel:
    """Tables of metrics for one period, with the previous period for comparison.

    Metric tables are pandas frames straight from `compute_metrics`: group columns, then
    every metric, then `<metric>_prev/_change/_change_pct`. NaN means undefined.
    """

    title: str
    currency: str
    period: Period
    previous: Period
    # the last day any row of the period is dated: printed instead of the run time, so the
    # same inputs always give the same bytes (the run time is in the manifest)
    latest_entry: date
    scope: Scope
    hurdle_roi_pct: float | None
    total: pd.DataFrame  # one row (the KPI block), with change columns
    by_channel: pd.DataFrame
    by_employee: pd.DataFrame
    by_campaign: pd.DataFrame
    by_month: pd.DataFrame  # channel × month over the trend window
    monthly_total: pd.DataFrame  # month over the trend window (revenue vs cost chart)
    costs_by_category: pd.DataFrame
    targets: pd.DataFrame  # dimension, name, metric, target, actual, attainment_pct, status
    team_total: pd.DataFrame | None = None  # the unscoped total, for scoped reports
    # the period's cost in rows that name no channel (campaign, employee) which a channel's
    # (campaign's, employee's or team's) figures leave out: all of it with shared_costs =
    # "none", what could not be shared out otherwise (no group active in its month); said,
    # not hidden
    cost_left_out: float = 0.0
    # teams and regions of the employees sheet (None without one, or without regions)
    by_team: pd.DataFrame | None = None
    by_region: pd.DataFrame | None = None
    warnings: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()  # sanity flags on the channels (reports/sanity.py)
    inputs: tuple[InputFile, ...] = field(default_factory=tuple)

    def kpi(self, name: str) -> float:
        return float(self.total.iloc[0][name])

    def top_and_bottom(
        self, table: pd.DataFrame, key: str, metric: str = "roi_pct", count: int = RANKED
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Best and worst named groups by a metric (undefined and unassigned left out)."""
        ranked = table[table[key].notna() & table[metric].notna()]
        ascending = not METRICS[metric].higher_is_better
        ordered = ranked.sort_values([metric, key], ascending=[ascending, True], kind="stable")
        top = ordered.head(count)
        bottom = ordered.tail(min(count, max(len(ordered) - len(top), 0))).iloc[::-1]
        return top.reset_index(drop=True), bottom.reset_index(drop=True)


def file_digest(path: Path) -> InputFile:
    stat = path.stat()
    return _digest(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _digest(path: str, mtime_ns: int, size: int) -> InputFile:
    # many reports of one run list the same (possibly large) inputs: hash each once
    return InputFile(Path(path).name, sha256_file(Path(path)), size)


def scope_targets(dataset: Dataset, scope: Scope) -> Dataset:
    """The dataset with only the targets that belong to the scope (all of them for `all`)."""
    if scope.kind == "all":
        return dataset
    targets = dataset.targets
    mine = (targets["dimension"] == scope.kind) & (targets["name"] == scope.name)
    return dataclasses.replace(dataset, targets=targets[mine.fillna(False)].reset_index(drop=True))


T = TypeVar("T")

# team-wide tables, and their rows split by scope name, shared by every scope of a run
MetricsMemo = dict[tuple[object, ...], Any]


def scoped_metrics(
    dataset: Dataset,
    config: Config,
    scope: Scope,
    by: Sequence[str],
    period: Period,
    compare: bool = True,
    memo: MetricsMemo | None = None,
) -> pd.DataFrame:
    """Metrics grouped `by`, for the scope's rows only, with shared costs allocated.

    Shared costs are allocated across the whole team first and the scope's rows picked
    afterwards, so a person's or channel's report shows exactly the figures of their row
    in the team's workbook (allocating within the scope alone would leave them out).
    `memo` shares the team-wide tables between the scopes of one run.
    """
    key = None if scope.kind == "all" else scope.kind
    dims = tuple(by) if key is None else (key, *(d for d in by if d != key))
    memo_key = (dims, period.start, period.end, period.kind, compare)
    table = memo.get(memo_key) if memo is not None else None
    if table is None:
        table = compute_metrics(dataset, config, by=dims, period=period, compare=compare)
        if memo is not None:
            memo[memo_key] = table
    if key is None:
        return table.copy()  # the memo's table stays as computed
    if memo is None:
        return _shaped(table[(table[key] == scope.name).fillna(False)], key, by)
    # grouped once per table: a run of a thousand scopes then looks each one up
    split_key = (*memo_key, "rows of each", key, key in by)
    rows = memo.get(split_key)
    if rows is None:
        rows = memo[split_key] = ScopeRows(table, key, by)
    return rows.of(scope.name)


def _shaped(rows: pd.DataFrame, key: str, by: Sequence[str]) -> pd.DataFrame:
    """A scope's rows as its report gets them: the key column kept only when it is one
    of the groupings asked for, the index renumbered."""
    return (rows if key in by else rows.drop(columns=[key])).reset_index(drop=True)


class ScopeRows:
    """A team-wide table's rows of each name, `_shaped`, in the table's order: grouped
    once, and a name's rows taken when its report asks (a run renders reports for some
    of the names only; taking every name's rows up front cost more than the reports'
    own look-ups). The key column is dropped once for the whole table, not once a name.
    """

    def __init__(self, table: pd.DataFrame, key: str, by: Sequence[str]) -> None:
        self.kept = _shaped(table, key, by)  # same rows in the same order: positions hold
        self.positions = table.groupby(key, sort=False, observed=True).indices

    def of(self, name: object) -> pd.DataFrame:
        """A new frame of `name`'s rows (no rows for a name the table does not have)."""
        positions = self.positions.get(name, [])
        return self.kept.iloc[positions].reset_index(drop=True)


def cost_left_out(
    dataset: Dataset,
    config: Config,
    scope: Scope,
    period: Period,
    memo: MetricsMemo | None = None,
) -> float:
    """The period's cost in rows naming no group of the scope's kind (no channel for a
    channel's report, no employee for an employee's or a team's): left out of the scope's
    figures, all of it unshared, and what no active group could take when costs are shared
    (`shared_costs`). 0 for the executive summary, which counts it as "(unassigned)"."""
    key = SCOPE_COST_KEYS.get(scope.kind)
    if key is None:
        return 0.0

    def naming_none() -> float:  # the same for every scope of the kind: once a run
        whole = scoped_metrics(dataset, config, Scope(), (key,), period, True, memo)
        return float(whole.loc[whole[key].isna(), "cost"].sum())

    memo_key = ("cost naming no", key, period.start, period.end, period.kind)
    return _shared(memo, memo_key, naming_none)


def trend_window(period: Period, fiscal_year_start: int) -> Period:
    """The months shown in trend charts: the period itself, or the 12 months up to its end."""
    last = month_index(period.end.year, period.end.month)
    first = min(month_index(period.start.year, period.start.month), last - TREND_MONTHS + 1)
    window = make_period("month", first, fiscal_year_start)
    end = make_period("month", last, fiscal_year_start)
    return Period(window.start, end.end, "year", f"{window.label}..{end.label}")


def targets_table(
    dataset: Dataset, config: Config, period: Period, tables: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """Every target of the period with its actual value, attainment and status."""
    columns = ["dimension", "name", "metric", "target", "actual", "attainment_pct", "status"]
    if dataset.targets.empty:  # most scopes have none: skip four filters and look-ups
        return pd.DataFrame(columns=columns)
    rows = []
    for dimension in ("total", "channel", "employee", "campaign"):
        dims: tuple[str, ...] = () if dimension == "total" else (dimension,)
        applicable = target_rows(dataset.targets, dims, period)
        table = tables[dimension]
        for target in applicable.to_dict("records"):
            if dimension == "total":
                match = table
            else:
                match = table[(table[dimension] == target["name"]).fillna(False)]
            metric = str(target["metric"])
            actual = float(match.iloc[0][metric]) if len(match) else float("nan")
            rows.append(_target_row(dimension, target, actual))
    return pd.DataFrame(rows, columns=columns)


def _target_row(dimension: str, target: Mapping[Hashable, Any], actual: float) -> dict[str, object]:
    metric = str(target["metric"])
    goal = float(target["target"])
    attainment = actual / goal * 100 if goal and not pd.isna(actual) else float("nan")
    if pd.isna(actual):
        status = "no data"
    elif METRICS[metric].higher_is_better:
        status = "met" if actual >= goal else "behind"
    else:
        status = "met" if actual <= goal else "behind"
    name = target["name"]
    return {
        "dimension": dimension,
        "name": None if dimension == "total" or pd.isna(name) else str(name),
        "metric": metric,
        "target": goal,
        "actual": actual,
        "attainment_pct": attainment,
        "status": status,
    }


def _costs_by_category(table: pd.DataFrame) -> pd.DataFrame:
    # results rows have no category: drop their empty group unless costs lack one too
    table = table[table["category"].notna() | (table["cost"] != 0)]
    return table[["category", "cost", "investment"]].reset_index(drop=True)


def latest_entry(dataset: Dataset, period: Period) -> date:
    """The last day any result or cost row of the period reaches (the period's last day
    when it has none): tells readers how recent the figures are, from the inputs alone."""
    first = month_index(period.start.year, period.start.month)
    last = month_index(period.end.year, period.end.month)
    fine = dataset.fine
    reached = [
        sums.loc[(sums["start_m"] <= last) & (sums["end_m"] >= first), LAST_DAY].max()
        for sums in (fine.results, fine.costs)
    ]
    days = [int(day) for day in reached if not pd.isna(day)]
    return min(EPOCH + timedelta(days=max(days)), period.end) if days else period.end


def _shared(memo: MetricsMemo | None, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """What is the same for every scope of a run, computed once when there is a memo."""
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return cast(T, memo[key])


def build_report_model(
    dataset: Dataset,
    config: Config,
    period: Period,
    scope: Scope = Scope(),
    inputs: Sequence[Path] = (),
    memo: MetricsMemo | None = None,
) -> ReportModel:
    """Compute every table a report needs for `period` (and `scope`).

    Pass one `memo` dict when building many scopes of the same period: the team-wide
    tables are then computed once and each scope only picks its rows.
    """
    settings = config.report
    fys = settings.fiscal_year_start

    def grouped(by: Sequence[str], when: Period = period, compare: bool = True) -> pd.DataFrame:
        return scoped_metrics(dataset, config, scope, by, when, compare, memo)

    tables = {
        "total": grouped(()),
        "channel": grouped(("channel",)),
        "employee": grouped(("employee",)),
        "campaign": grouped(("campaign",)),
    }
    org = {d: grouped((d,)) for d in ORG_DIMENSIONS if has_dimension(dataset.employees, d)}
    window = trend_window(period, fys)
    by_month = grouped(("channel", "month"), window, compare=False)
    monthly_total = grouped(("month",), window, compare=False)
    team_total = None
    if scope.kind != "all":
        team_total = scoped_metrics(dataset, config, Scope(), (), period, True, memo)
    return ReportModel(
        title=settings.title_in(settings.language),
        # the data's own currency when the config names none (ingest chose it, SPEC §2)
        currency=dataset.currency or settings.currency,
        period=period,
        previous=previous_period(period, fys),
        latest_entry=_shared(
            memo, ("latest_entry", period.start, period.end), lambda: latest_entry(dataset, period)
        ),
        scope=scope,
        hurdle_roi_pct=settings.hurdle_roi_pct,
        total=tables["total"],
        by_channel=tables["channel"],
        by_employee=tables["employee"],
        by_campaign=tables["campaign"],
        by_month=by_month,
        monthly_total=monthly_total,
        costs_by_category=_costs_by_category(grouped(("category",), compare=False)),
        targets=targets_table(scope_targets(dataset, scope), config, period, tables),
        team_total=team_total,
        cost_left_out=cost_left_out(dataset, config, scope, period, memo),
        by_team=org.get("team"),
        by_region=org.get("region"),
        warnings=_shared(
            memo,
            ("warnings",),
            lambda: (*dataset.report.warnings, *org_warnings(dataset.fine, dataset.employees)),
        ),
        notes=dataset.notes,
        flags=sanity_flags(tables["channel"], config.sanity),
        inputs=tuple(file_digest(Path(p)) for p in inputs),
    )
