"""Input files → one validated Dataset of canonical frames (results, costs, targets, fx)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from roi_reports.config import Config
from roi_reports.errors import InputError, RoiReportsError
from roi_reports.normalise import (
    check_fx_duplicates,
    combine,
    convert_currency,
    empty_frame,
    normalise_table,
)
from roi_reports.readers import read_file
from roi_reports.schemas import SheetKind
from roi_reports.validation import Problem, ValidationReport


@dataclass(frozen=True)
class Dataset:
    """Validated inputs in canonical form; money already in the reporting currency."""

    results: pd.DataFrame
    costs: pd.DataFrame
    targets: pd.DataFrame
    fx_rates: pd.DataFrame
    report: ValidationReport = field(default_factory=ValidationReport)
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def empty(cls) -> Dataset:
        return cls(
            results=empty_frame("results"),
            costs=empty_frame("costs"),
            targets=empty_frame("targets"),
            fx_rates=empty_frame("fx_rates"),
        )


def read_dataset(paths: Iterable[Path | str], config: Config) -> Dataset:
    """Read and validate every file; problems are collected in `dataset.report`, not raised."""
    report = ValidationReport()
    frames: dict[SheetKind, list[pd.DataFrame]] = {
        "results": [],
        "costs": [],
        "targets": [],
        "fx_rates": [],
    }
    notes: list[str] = []
    files: list[str] = []
    fiscal_year_start = config.report.fiscal_year_start
    for path in map(Path, paths):
        files.append(path.name)
        try:
            read = read_file(path, config.columns)
        except RoiReportsError as exc:
            report.problems.append(
                Problem(path.name, None, None, None, None, "unreadable file", str(exc))
            )
            continue
        report.extend(read.problems)
        notes.extend(read.notes)
        for table in read.tables:
            frame, problems = normalise_table(table, fiscal_year_start)
            report.extend(problems)
            frames[table.kind].append(frame)
    fx = combine(frames["fx_rates"], "fx_rates")
    check_fx_duplicates(fx, report)
    currency = config.report.currency
    results = convert_currency(
        combine(frames["results"], "results"), ("revenue", "gross_profit"), fx, currency, report
    )
    costs = convert_currency(combine(frames["costs"], "costs"), ("amount",), fx, currency, report)
    if config.report.profit_basis == "gross_profit":
        _require_gross_profit(results, report)
    return Dataset(
        results=results,
        costs=costs,
        targets=combine(frames["targets"], "targets"),
        fx_rates=fx,
        report=report,
        files=tuple(files),
        notes=tuple(notes),
    )


def _require_gross_profit(results: pd.DataFrame, report: ValidationReport) -> None:
    missing = results[results["gross_profit"].isna()]
    for file, sheet, row in missing[["file", "sheet", "row"]].itertuples(index=False):
        report.problems.append(
            Problem(
                str(file),
                str(sheet),
                int(row),
                "gross_profit",
                None,
                "gross profit missing",
                'profit_basis = "gross_profit" needs a gross_profit value on every results row',
            )
        )


def load_dataset(paths: Iterable[Path | str], config: Config) -> Dataset:
    """Like `read_dataset`, but raise InputError when any file has an error."""
    dataset = read_dataset(paths, config)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    return dataset
