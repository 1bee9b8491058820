"""The metric registry (SPEC §3): one small pure function per metric, label and unit beside it.

Every function takes the *aggregated* sums of a group (ratios are always computed after
aggregation) and returns a float column; undefined values are NaN, which the outputs
render as null / empty cell / "–", never 0 or inf.

Unknown values (a file without revenue or contacts, see `aggregate`): a group's revenue
or contacts is null when none of its results rows knows it, else the sum of the rows
that do (a partial figure the outputs point out). A ratio of two results sums pairs
only the rows that know both (conversion rate: the conversions of rows with contacts;
average ticket and break-even: the conversions of rows with revenue). Cost is always
known, so cost ratios (ROI, ROAS, cost per contact) divide the known part by all cost.
Sums without the counts (e.g. hand-made in tests) are taken as fully known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from roi_reports.i18n import N_

Unit = Literal["count", "money", "percent", "ratio"]
SUM_COLUMNS = ("contacts", "conversions", "revenue", "gross_profit", "cost", "investment")


@dataclass(frozen=True)
class MetricContext:
    """What a metric may need besides the sums: how profit is measured, how long the period is."""

    profit_basis: Literal["revenue", "gross_profit"]
    days: pd.Series  # calendar days of each group's period


@dataclass(frozen=True)
class Metric:
    """Label, formula and null rule are English msgids: show them through `_()`."""

    name: str
    label: str
    unit: Unit
    formula: str
    null_rule: str
    compute: Callable[[pd.DataFrame, MetricContext], pd.Series]

    @property
    def higher_is_better(self) -> bool:
        """Costs are better lower; used for target status and the colour of changes."""
        return self.name not in LOWER_IS_BETTER


LOWER_IS_BETTER = frozenset(
    {"cost", "investment", "cost_per_contact", "cpa", "break_even_conversions"}
)
METRICS: dict[str, Metric] = {}


def metric(
    name: str, label: str, unit: Unit, formula: str, null_rule: str = N_("never null")
) -> Callable[
    [Callable[[pd.DataFrame, MetricContext], pd.Series]],
    Callable[[pd.DataFrame, MetricContext], pd.Series],
]:
    def register(
        func: Callable[[pd.DataFrame, MetricContext], pd.Series],
    ) -> Callable[[pd.DataFrame, MetricContext], pd.Series]:
        METRICS[name] = Metric(name, label, unit, formula, null_rule, func)
        return func

    return register


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is 0 or missing (never inf)."""
    num = numerator.astype("float64")
    den = denominator.astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        result = num / den
    return result.where(den != 0)


def known(sums: pd.DataFrame, column: str) -> pd.Series:
    """The sum of `column`'s known values; NaN for a group whose results rows know none.

    A group without results rows (costs only) keeps its 0: nothing was recorded, which is
    not the same as a file that cannot say.
    """
    total = sums[column].astype("float64")
    counted = f"{column}_rows"
    if counted not in sums or "results_rows" not in sums:
        return total
    return total.mask((sums[counted] == 0) & (sums["results_rows"] > 0))


def conversions_knowing(sums: pd.DataFrame, column: str) -> pd.Series:
    """The conversions of the rows whose `column` is known (all of them without counts)."""
    paired = f"conversions_with_{column}"
    return sums[paired if paired in sums else "conversions"].astype("float64")


def profit_amount(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    """What the company earns before the marketing cost: revenue or gross profit."""
    if ctx.profit_basis == "gross_profit":
        return sums["gross_profit"].astype("float64")
    return known(sums, "revenue")


def conversions_with_profit(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    """The conversions that the profit amount belongs to."""
    if ctx.profit_basis == "gross_profit":  # required on every row: always known
        return sums["conversions"].astype("float64")
    return conversions_knowing(sums, "revenue")


@metric(
    "contacts",
    N_("Contacts"),
    "count",
    N_("sum of contacts"),
    N_("null when no results row says its contacts"),
)
def contacts(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return known(sums, "contacts")


@metric("conversions", N_("Conversions"), "count", N_("sum of conversions"))
def conversions(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return sums["conversions"].astype("float64")


@metric("cost", N_("Cost"), "money", N_("sum of all cost amounts"))
def cost(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return sums["cost"].astype("float64")


@metric(
    "investment",
    N_("Investment"),
    "money",
    N_("sum of cost amounts in investment_categories (default: all)"),
)
def investment(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return sums["investment"].astype("float64")


@metric(
    "revenue",
    N_("Revenue"),
    "money",
    N_("sum of revenue"),
    N_("null when no results row says its revenue"),
)
def revenue(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return known(sums, "revenue")


@metric(
    "net_profit",
    N_("Net profit"),
    "money",
    N_("revenue (or gross profit when profit_basis = gross_profit) − cost"),
    N_("null when revenue is null"),
)
def net_profit(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return profit_amount(sums, ctx) - sums["cost"]


@metric(
    "roi_pct",
    N_("ROI %"),
    "percent",
    N_("net profit / investment × 100"),
    N_("null when investment is 0 or revenue is null"),
)
def roi_pct(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return ratio(net_profit(sums, ctx), sums["investment"]) * 100


@metric(
    "roas",
    N_("ROAS"),
    "ratio",
    N_("revenue / cost (×, not %)"),
    N_("null when cost is 0 or revenue is null"),
)
def roas(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return ratio(known(sums, "revenue"), sums["cost"])


@metric(
    "conversion_rate_pct",
    N_("Conversion rate %"),
    "percent",
    N_("conversions / contacts × 100, counting only the rows that say their contacts"),
    N_("null when contacts is 0 or null"),
)
def conversion_rate_pct(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return ratio(conversions_knowing(sums, "contacts"), known(sums, "contacts")) * 100


@metric(
    "cost_per_contact",
    N_("Cost per contact"),
    "money",
    N_("cost / contacts"),
    N_("null when contacts is 0 or null"),
)
def cost_per_contact(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return ratio(sums["cost"], known(sums, "contacts"))


@metric(
    "cpa",
    N_("Cost per acquisition"),
    "money",
    N_("cost / conversions"),
    N_("null when conversions is 0"),
)
def cpa(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return ratio(sums["cost"], sums["conversions"])


@metric(
    "avg_ticket",
    N_("Average ticket"),
    "money",
    N_("revenue / conversions, counting only the rows that say their revenue"),
    N_("null when those conversions are 0 or revenue is null"),
)
def avg_ticket(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return ratio(known(sums, "revenue"), conversions_knowing(sums, "revenue"))


@metric(
    "break_even_conversions",
    N_("Break-even conversions"),
    "count",
    N_(
        "ceil(cost / profit per conversion), profit per conversion = revenue (or gross "
        "profit) / conversions of the rows that say it"
    ),
    N_("null when there are no conversions, they earn nothing, or revenue is null"),
)
def break_even_conversions(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    per_conversion = ratio(profit_amount(sums, ctx), conversions_with_profit(sums, ctx))
    needed = ratio(sums["cost"], per_conversion.where(per_conversion > 0))
    # 10.000000000000002 conversions are 10, not 11: ignore float noise before ceil
    return pd.Series(np.ceil(needed - 1e-9 * needed.abs()), index=sums.index)


def annualize_compound(roi: pd.Series, days: pd.Series) -> pd.Series:
    """((1 + roi/100)^(365/days) − 1) × 100; null when roi ≤ −100 (no real root)."""
    base = 1 + roi / 100
    with np.errstate(invalid="ignore", over="ignore"):
        result = (base.where(base > 0) ** (365.0 / days) - 1) * 100
    return result.where(np.isfinite(result))


def annualize_simple(roi: pd.Series, days: pd.Series) -> pd.Series:
    return roi * 365.0 / days


@metric(
    "annualized_roi_pct",
    N_("Annualised ROI %"),
    "percent",
    N_("((1 + ROI/100)^(365/days) − 1) × 100, days = calendar days in the period"),
    N_("null when ROI is null or ≤ −100 %"),
)
def annualized_roi_pct(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return annualize_compound(roi_pct(sums, ctx), ctx.days.astype("float64"))


@metric(
    "annualized_roi_simple_pct",
    N_("Annualised ROI (simple) %"),
    "percent",
    N_("ROI × 365 / days"),
    N_("null when ROI is null"),
)
def annualized_roi_simple_pct(sums: pd.DataFrame, ctx: MetricContext) -> pd.Series:
    return annualize_simple(roi_pct(sums, ctx), ctx.days.astype("float64"))


def compute_all(sums: pd.DataFrame, ctx: MetricContext) -> pd.DataFrame:
    """Every registered metric for every group; sums may carry extra columns (keys)."""
    return pd.DataFrame(
        {name: m.compute(sums, ctx) for name, m in METRICS.items()}, index=sums.index
    )


# The figures every report leads with: the CLI table, KPI cards, channel tables, Summary.
KEY_METRICS = (
    "cost",
    "revenue",
    "net_profit",
    "roi_pct",
    "roas",
    "conversions",
    "conversion_rate_pct",
    "cpa",
)
