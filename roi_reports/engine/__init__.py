"""Engines for the one heavy step: summing rows to month-level fine sums.

Both engines read the same sources (the store, Parquet/CSV exports) with the same
per-piece functions (`pieces.py`) and return the same `Dataset`; every metric, shared-cost
allocation, target and comparison then runs on the fine sums in pandas (`pipeline.py`).
The pandas engine keeps the rows in this process; the Dask engine sums them on a cluster
and keeps only the sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from roi_reports.aggregate import FineSums
from roi_reports.config import Config, EngineKind
from roi_reports.engine.pieces import CurrencyChoice, Rules, canonical_rows, currency_labels
from roi_reports.engine.sources import Sources, expand, export_sources, is_export, store_sources
from roi_reports.errors import InputError
from roi_reports.ingest.dataset import (
    Dataset,
    assemble,
    currency_note,
    data_currency,
    input_period,
)
from roi_reports.ingest.normalise import combine
from roi_reports.validation import Problem

ENGINES: tuple[EngineKind, ...] = ("pandas", "dask")

__all__ = [
    "ENGINES",
    "Sources",
    "engine_dataset",
    "expand",
    "export_sources",
    "is_export",
    "store_sources",
    "with_engine",
]


def with_engine(config: Config, kind: EngineKind | None) -> Config:
    """The config with `--engine` applied (None keeps `[engine] kind`)."""
    if kind is None:
        return config
    return replace(config, engine=replace(config.engine, kind=kind))


def engine_dataset(sources: Sources, config: Config) -> Dataset:
    """Sources → a validated Dataset; InputError listing every problem when any is an error.

    With no `[report] currency` set, the currencies the rows name are gathered first (the
    currency column alone): when every row names the same one, it reports, on either
    engine, exactly as for spreadsheets (`dataset.data_currency`)."""
    small = assemble(list(sources.small), config)  # targets, fx rates, their checks
    rules = Rules(
        currency=config.report.currency,
        fx=small.fx_rates,
        require_gross_profit=config.report.profit_basis == "gross_profit",
        fiscal_year_start=config.report.fiscal_year_start,
        period=input_period(config),
        columns=dict(config.columns),
    )
    choose = None if config.currency_configured else _currency_chooser(config)
    if config.engine.kind == "dask":
        from roi_reports.engine.dask_engine import dask_fine_sums

        sums, problems, rules = dask_fine_sums(
            sources.pieces, rules, config.engine, sources.months, choose
        )
        dataset = replace(small, sums=sums)
    else:
        if choose:
            found = [currency_labels(piece, rules.columns) for piece in sources.pieces]
            rules = replace(rules, currency=choose(found))
        dataset, problems = _pandas_dataset(sources, rules, small)
    if rules.currency != config.report.currency:  # the data chose it: say so
        note = currency_note(rules.currency)
        dataset = replace(dataset, currency=rules.currency, notes=(*dataset.notes, note))
    dataset.report.extend(problems)
    dataset.report.put_in_reading_order(dataset.files)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    return dataset


def _currency_chooser(config: Config) -> CurrencyChoice:
    """Every piece's (currencies named, any row without one) → the reporting currency."""

    def choose(found: Sequence[tuple[frozenset[str], bool]]) -> str:
        labels: set[str] = set().union(*(named for named, _ in found))
        return data_currency(labels, any(unnamed for _, unnamed in found), config)[0]

    return choose


def _pandas_dataset(
    sources: Sources, rules: Rules, small: Dataset
) -> tuple[Dataset, list[Problem]]:
    """Every piece read into this process: rows kept, so errors can name input rows."""
    frames: dict[str, list[pd.DataFrame]] = {"results": [], "costs": []}
    problems: list[Problem] = []
    for piece in sources.pieces:
        frame, found = canonical_rows(piece, rules)
        frames[piece.kind].append(frame)
        problems.extend(found)
    results = combine(frames["results"], "results")
    costs = combine(frames["costs"], "costs")
    sums = None
    if sources.months is not None:  # only part of the rows: say which, as Dask does
        fine = replace(small, results=results, costs=costs).fine
        sums = FineSums(fine.results, fine.costs, sources.months, fine.gaps)
    return replace(small, results=results, costs=costs, sums=sums), problems
