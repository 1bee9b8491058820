"""Input files → one validated Dataset of canonical frames (results, costs, targets, fx).

Reading is per file (`read_file_tables`), so the folder job can keep each file's
normalised tables in its store; `assemble` then combines any set of files, converting
currencies with the exchange rates of all of them.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import pandas as pd

from roi_reports.aggregate import FineSums, fine_sums
from roi_reports.config import Config
from roi_reports.errors import InputError, RoiReportsError
from roi_reports.ingest.normalise import (
    check_fx_duplicates,
    combine,
    convert_currency,
    empty_frame,
    normalise_table,
)
from roi_reports.ingest.people import listed_in_two_files
from roi_reports.ingest.schemas import SheetKind
from roi_reports.ingest.skipped import skipped_rows_summary
from roi_reports.ingest.tables import ReadResult, read_file
from roi_reports.periods import parse_period
from roi_reports.validation import Problem, ValidationReport, reading_order

KINDS: tuple[SheetKind, ...] = (
    "results",
    "costs",
    "targets",
    "fx_rates",
    "employees",
    "stakeholders",
)
log = logging.getLogger("roi_reports.ingest")


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
    # sums an engine computed elsewhere (Dask); results and costs then hold no rows
    sums: FineSums | None = field(default=None, repr=False)
    # the reporting currency the data chose (one currency in it, none configured)
    currency: str | None = None
    # the people sheets (SPEC §2): teams and regions of employees, and recipients
    employees: pd.DataFrame = field(default_factory=lambda: empty_frame("employees"))
    stakeholders: pd.DataFrame = field(default_factory=lambda: empty_frame("stakeholders"))

    @cached_property
    def fine(self) -> FineSums:
        """The month-level sums every metric is computed from (one pass, cached)."""
        if self.sums is not None:
            return self.sums
        return fine_sums(self.results, self.costs)

    @classmethod
    def empty(cls) -> Dataset:
        return cls(
            results=empty_frame("results"),
            costs=empty_frame("costs"),
            targets=empty_frame("targets"),
            fx_rates=empty_frame("fx_rates"),
        )


@dataclass(frozen=True)
class FileTables:
    """One file's tables, typed but still in their own currencies."""

    name: str
    frames: dict[SheetKind, pd.DataFrame]
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    def rows(self) -> dict[str, int]:
        return {kind: len(frame) for kind, frame in self.frames.items()}

    @property
    def has_errors(self) -> bool:
        """Whether a problem of the file is an error (it will be quarantined)."""
        return any(p.severity == "error" for p in self.problems)


P = ParamSpec("P")
R = TypeVar("R")


def _without_gc(function: Callable[P, R]) -> Callable[P, R]:
    """`function` run with no cyclic garbage collection, which is then as it was found.

    Reading makes a Python list for every row and few reference cycles, yet each list
    counts towards the collector's thresholds, so it kept walking a heap of a quarter of a
    million rows: 13 % of a large file's reading CPU (measured). Whatever cycles there are
    are collected as usual once the collector runs again.
    """

    @wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused


def read_file_tables(path: Path, config: Config) -> FileTables:
    """Read and type every table of one file; problems are collected, not raised."""
    return type_tables(path, read_raw(path, config), config)


@_without_gc
def read_raw(path: Path, config: Config) -> ReadResult | Problem:
    """The reading half of `read_file_tables` (timed apart by the folder job).

    Whatever a file does to the readers ends as a problem of that file (which the folder
    job quarantines), never as a failure of the whole run.
    """
    try:
        return read_file(path, config.columns, config.input, config.report.fiscal_year_start)
    except RoiReportsError as exc:
        return Problem(path.name, None, None, None, None, "unreadable file", str(exc))
    except Exception as exc:
        return _unreadable(path, exc, "read")


@_without_gc
def type_tables(path: Path, read: ReadResult | Problem, config: Config) -> FileTables:
    """The typing and checking half of `read_file_tables`."""
    if isinstance(read, Problem):
        return FileTables(path.name, {}, (read,))
    try:
        return _type_tables(path, read, config)
    except ImportError:
        raise  # an installation without its libraries (pandera): not the file's fault
    except Exception as exc:
        return FileTables(path.name, {}, (_unreadable(path, exc, "checked"),))


def _unreadable(path: Path, exc: Exception, step: str) -> Problem:
    """A file that broke a reader in a way no check foresaw: its own problem, logged with
    the traceback (the run log keeps it for a bug report)."""
    log.warning("%s could not be %s", path.name, step, exc_info=True)
    if isinstance(exc, MemoryError):
        hint = f"{path.name}: needs more memory than there is to be {step}; split the file"
    else:
        hint = (
            f"{path.name}: could not be {step} ({type(exc).__name__}: {str(exc)[:200]}); open "
            "it in Excel or LibreOffice and save it again, or export it again"
        )
    return Problem(path.name, None, None, None, None, "unreadable file", hint)


def _type_tables(path: Path, read: ReadResult, config: Config) -> FileTables:
    problems = list(read.problems)
    notes = list(read.notes)
    frames: dict[SheetKind, list[pd.DataFrame]] = {kind: [] for kind in KINDS}
    period = input_period(config)
    for table in read.tables:
        frame, table_problems = normalise_table(
            table, config.report.fiscal_year_start, period, notes=notes
        )
        problems.extend(table_problems)
        frames[table.kind].append(frame)
    combined = {kind: combine(found, kind) for kind, found in frames.items() if found}
    if config.input.skip_invalid_rows:
        combined, problems = skip_invalid_rows(combined, problems)
    sheets = [(path.name, s.sheet) for s in read.sheets] + [(t.file, t.sheet) for t in read.tables]
    ordered = reading_order(problems, [path.name], sheets)
    return FileTables(path.name, combined, tuple(ordered), tuple(notes))


def input_period(config: Config) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if config.input.period is None:
        return None
    period = parse_period(config.input.period, fiscal_year_start=config.report.fiscal_year_start)
    return pd.Timestamp(period.start), pd.Timestamp(period.end)


def skip_invalid_rows(
    frames: dict[SheetKind, pd.DataFrame], problems: Sequence[Problem]
) -> tuple[dict[SheetKind, pd.DataFrame], list[Problem]]:
    """Drop the data rows that have errors; their errors become warnings saying so, and
    one more warning per file says what the skipped rows carried (`ingest/skipped.py`).

    Errors that are not about one data row (a missing column, an unreadable file) stay
    errors: no row can be kept from a table that cannot be read.
    """
    flagged = [(p.sheet, p.row) for p in problems if p.severity == "error" and p.row is not None]
    if not flagged:
        return frames, list(problems)
    kept: dict[SheetKind, pd.DataFrame] = {}
    dropped: dict[str, pd.DataFrame] = {}
    bad: set[tuple[object, object]] = set()  # flagged cells that are data rows
    for kind, frame in frames.items():
        keys = pd.MultiIndex.from_arrays([frame["sheet"].astype(object), frame["row"]])
        drop = keys.isin(flagged)
        bad.update(keys[drop])
        kept[kind] = frame[~drop].reset_index(drop=True)
        dropped[kind] = frame[drop]
    reported = [
        replace(p, severity="warning", hint=f"row skipped ({p.hint})")
        if p.severity == "error" and (p.sheet, p.row) in bad
        else p
        for p in problems
    ]
    return kept, [*reported, *skipped_rows_summary(dropped, problems)]


def assemble(files: Sequence[FileTables], config: Config) -> Dataset:
    """Combine files into one Dataset: exchange rates from all of them, cross-file checks."""
    report = ValidationReport()
    for file in files:
        report.extend(file.problems)

    def gather(kind: SheetKind) -> pd.DataFrame:
        return combine([f.frames[kind] for f in files if kind in f.frames], kind)

    fx = gather("fx_rates")
    check_fx_duplicates(fx, report)
    results, costs = gather("results"), gather("costs")
    currency, chosen = reporting_currency(results, costs, config)
    results = convert_currency(results, ("revenue", "gross_profit"), fx, currency, report)
    costs = convert_currency(costs, ("amount",), fx, currency, report)
    if config.report.profit_basis == "gross_profit":
        _require_gross_profit(results, report)
    employees = gather("employees")
    report.problems.extend(listed_in_two_files(employees))
    report.put_in_reading_order([f.name for f in files])
    return Dataset(
        results=results,
        costs=costs,
        targets=gather("targets"),
        fx_rates=fx,
        report=report,
        files=tuple(f.name for f in files),
        notes=tuple(note for f in files for note in f.notes) + chosen,
        currency=currency if chosen else None,
        employees=employees,
        stakeholders=gather("stakeholders"),
    )


def reporting_currency(
    results: pd.DataFrame, costs: pd.DataFrame, config: Config
) -> tuple[str, tuple[str, ...]]:
    """The reporting currency, and a note when the data chose it: with no `[report]
    currency` set and every row carrying the same currency, that currency reports
    (SPEC §2). A row without one is in the reporting currency, so it keeps the default;
    mixed currencies convert to the default with fx_rates as before."""
    labels = pd.concat([results["currency"], costs["currency"]], ignore_index=True)
    # the distinct labels first: iterating a million arrow-backed strings took a second
    return data_currency(set(labels.dropna().unique()), bool(labels.isna().any()), config)


def data_currency(
    labels: set[str], unlabelled: bool, config: Config
) -> tuple[str, tuple[str, ...]]:
    """The reporting currency from the currencies the rows carry (`labels`) and whether
    any row carries none: the one decision of the spreadsheet path and both engines."""
    configured = config.report.currency
    if config.currency_configured or unlabelled or len(labels) != 1 or labels == {configured}:
        return configured, ()
    only = str(next(iter(labels)))
    return only, (currency_note(only),)


def currency_note(currency: str) -> str:
    return (
        f"reporting currency {currency}: the only currency in the data "
        "(set [report] currency to report in another)"
    )


def read_dataset(paths: Iterable[Path | str], config: Config) -> Dataset:
    """Read and validate every file; problems are collected in `dataset.report`, not raised."""
    return assemble([read_file_tables(Path(p), config) for p in paths], config)


def _require_gross_profit(results: pd.DataFrame, report: ValidationReport) -> None:
    report.problems.extend(gross_profit_problems(results))


def gross_profit_problems(results: pd.DataFrame) -> list[Problem]:
    """Results rows without gross profit, when `profit_basis = "gross_profit"` needs it."""
    missing = results[results["gross_profit"].isna()]
    return [
        Problem(
            str(file),
            str(sheet),
            int(row),
            "gross_profit",
            None,
            "gross profit missing",
            'profit_basis = "gross_profit" needs a gross_profit value on every results row',
        )
        for file, sheet, row in missing[["file", "sheet", "row"]].itertuples(index=False)
    ]


def load_dataset(paths: Iterable[Path | str], config: Config) -> Dataset:
    """Like `read_dataset`, but raise InputError when any file has an error."""
    dataset = read_dataset(paths, config)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    return dataset
