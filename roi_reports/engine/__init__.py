"""Engines for the one heavy step: summing rows to month-level fine sums.

Both engines read the same sources (the store, Parquet/CSV exports) with the same
per-piece functions (`pieces.py`) and return the same `Dataset`; every metric, shared-cost
allocation, target and comparison then runs on the fine sums in pandas (`pipeline.py`).
The pandas engine keeps the rows in this process; the Dask engine sums them on a cluster
and keeps only the sums.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from roi_reports.aggregate import FineSums
from roi_reports.config import Config, EngineKind
from roi_reports.engine.pieces import Rules, canonical_rows
from roi_reports.engine.sources import Sources, expand, export_sources, is_export, store_sources
from roi_reports.errors import InputError
from roi_reports.ingest.dataset import Dataset, assemble, input_period
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
    """Sources → a validated Dataset; InputError listing every problem when any is an error."""
    small = assemble(list(sources.small), config)  # targets, fx rates, their checks
    rules = Rules(
        currency=config.report.currency,
        fx=small.fx_rates,
        require_gross_profit=config.report.profit_basis == "gross_profit",
        fiscal_year_start=config.report.fiscal_year_start,
        period=input_period(config),
        columns=dict(config.columns),
    )
    if config.engine.kind == "dask":
        from roi_reports.engine.dask_engine import dask_fine_sums

        sums, problems = dask_fine_sums(sources.pieces, rules, config.engine, sources.months)
        dataset = replace(small, sums=sums)
    else:
        dataset, problems = _pandas_dataset(sources, rules, small)
    dataset.report.extend(problems)
    dataset.report.put_in_reading_order(dataset.files)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    return dataset


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
