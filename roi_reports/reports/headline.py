"""Headline figures: a report's key numbers as text, for email bodies and the send plan.

One definition, so the plan previews exactly what each email will say: the figures of
the recipient's own scope, in the recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from roi_reports.config import Config
from roi_reports.i18n import N_, gettext_for
from roi_reports.ingest.dataset import Dataset
from roi_reports.metrics import METRICS
from roi_reports.periods import Period
from roi_reports.reports.formatting import format_metric, format_metric_change, format_value
from roi_reports.reports.model import (
    SCOPE_COST_KEYS,
    MetricsMemo,
    ReportModel,
    Scope,
    cost_left_out,
    scoped_metrics,
)
from roi_reports.reports.unknown_notes import PARTIAL, partial

HEADLINE_METRICS = ("roi_pct", "revenue", "cost", "net_profit", "roas", "conversions")

# a scope's cost leaves out the rows naming no group of its kind (ReportModel.cost_left_out):
# its email says how much, after the figures, as its report does
LEFT_OUT_LABEL = N_("Costs left out")
LEFT_OUT_VALUE = {
    "channel": N_("{amount}, in rows naming no channel"),
    "campaign": N_("{amount}, in rows naming no campaign"),
    "employee": N_("{amount}, in rows naming no employee"),
}


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    change: str  # against the previous period of the same length


def headline_figures(
    model: ReportModel, language: str, metrics: tuple[str, ...] = HEADLINE_METRICS
) -> tuple[Figure, ...]:
    figures = total_figures(model.total.iloc[0], model.currency, language, metrics)
    return figures + left_out_figure(
        model.scope, model.cost_left_out, model.currency, language, metrics
    )


def left_out_figure(
    scope: Scope, amount: float, currency: str, language: str, metrics: tuple[str, ...]
) -> tuple[Figure, ...]:
    """The cost a scope's figures leave out, as one more figure (none when it is 0, or
    when the figures quoted do not include the cost)."""
    if "cost" not in metrics or round(amount, 2) == 0:  # a net credit is said as well
        return ()
    _ = gettext_for(language)
    value = _(LEFT_OUT_VALUE[SCOPE_COST_KEYS[scope.kind]]).format(
        amount=format_value(amount, "money", currency, language)
    )
    return (Figure(_(LEFT_OUT_LABEL), value, ""),)


def total_figures(
    row: pd.Series, currency: str, language: str, metrics: tuple[str, ...] = HEADLINE_METRICS
) -> tuple[Figure, ...]:
    """A total row (with its `_change` columns) as labelled, formatted figures."""
    _ = gettext_for(language)
    return tuple(
        Figure(
            _(METRICS[name].label),
            format_metric(name, row[name], currency, language)
            # a sum of the rows that know it (README "Unknown values"): say so
            + (f" {_(PARTIAL)}" if partial(row, name) else ""),
            format_metric_change(name, row[f"{name}_change"], currency, language),
        )
        for name in metrics
    )


def headline_from_model(model: ReportModel, language: str = "en") -> dict[str, str]:
    """Label → value text, as an email body lists them."""
    return {f.label: f.value for f in headline_figures(model, language)}


class Headlines:
    """(scope label, language) → that scope's headline: its total row, picked from the
    team-wide tables of the memo (a thousand employees' emails need no thousand models)."""

    def __init__(
        self,
        dataset: Dataset,
        config: Config,
        period: Period,
        memo: MetricsMemo | None = None,
    ) -> None:
        self._args = (dataset, config, period)
        self._totals: dict[str, pd.Series] = {}
        self._memo: MetricsMemo = {} if memo is None else memo
        self.given: dict[str, dict[str, str]] = {}  # "scope|language" → what was used

    def total(self, scope_label: str) -> pd.Series:
        """The scope's total row with its change against the previous period, as the
        scope's report shows it (ReportModel.total)."""
        if scope_label not in self._totals:
            dataset, config, period = self._args
            scope = Scope.parse(scope_label)
            table = scoped_metrics(dataset, config, scope, (), period, True, self._memo)
            self._totals[scope_label] = table.iloc[0]
        return self._totals[scope_label]

    def figures(
        self, scope_label: str, language: str, metrics: tuple[str, ...] = HEADLINE_METRICS
    ) -> tuple[Figure, ...]:
        dataset, config, period = self._args
        currency = dataset.currency or config.report.currency  # as build_report_model
        scope = Scope.parse(scope_label)
        left = cost_left_out(dataset, config, scope, period, self._memo)  # once a run: memo
        figures = total_figures(self.total(scope_label), currency, language, metrics)
        return figures + left_out_figure(scope, left, currency, language, metrics)

    def __call__(self, scope_label: str, language: str) -> dict[str, str]:
        figures = {f.label: f.value for f in self.figures(scope_label, language)}
        self.given[f"{scope_label}|{language}"] = figures
        return figures
