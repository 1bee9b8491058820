"""Raw tables → typed canonical frames, with every problem collected (never the first only).

Also converts foreign-currency amounts to the reporting currency with the fx_rates
sheet; a missing rate is a problem that names the currency, the month and the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from roi_reports.ingest.people import people_issues
from roi_reports.ingest.raw import RawTable
from roi_reports.ingest.records import as_conversions, collapse_records
from roi_reports.ingest.rules import check_rules
from roi_reports.ingest.schemas import (
    PEOPLE_KINDS,
    SHEETS,
    TARGET_DIMENSIONS,
    ColumnSpec,
    SheetKind,
)
from roi_reports.ingest.unknown import unknown_value_warnings
from roi_reports.ingest.values import (
    DATE_RANGE_HINT,
    NUMBER_RANGE_HINT,
    blank_mask,
    out_of_range_numbers,
    to_currency,
    to_dates,
    to_numbers,
    to_period_spans,
    to_text,
)
from roi_reports.periods import month_indexes
from roi_reports.validation import Problem, ValidationReport, problems_for_rows

ENTITY_COLUMNS = ("channel", "campaign", "employee")
SOURCE_COLUMNS = ("file", "sheet", "row")
FRAME_COLUMNS: dict[SheetKind, tuple[str, ...]] = {
    "results": (
        "start",
        "end",
        *ENTITY_COLUMNS,
        "contacts",
        "conversions",
        "revenue",
        "gross_profit",
        "currency",
        *SOURCE_COLUMNS,
    ),
    "costs": ("start", "end", *ENTITY_COLUMNS, "category", "amount", "currency", *SOURCE_COLUMNS),
    "targets": ("start", "end", "period", "dimension", "name", "metric", "target", *SOURCE_COLUMNS),
    "fx_rates": ("currency", "month", "rate", *SOURCE_COLUMNS),
    "employees": (
        "employee",
        "email",
        "team",
        "region",
        "manager_email",
        "language",
        *SOURCE_COLUMNS,
    ),
    "stakeholders": ("name", "email", "scope", "language", "formats", *SOURCE_COLUMNS),
}
_NUMERIC_TYPES = {"count", "money", "number"}


def empty_frame(kind: SheetKind) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in FRAME_COLUMNS[kind]})


def _dtype(column: str) -> str:
    if column in ("start", "end"):
        return "datetime64[ns]"
    if column in ("contacts", "conversions", "revenue", "gross_profit", "amount", "target", "rate"):
        return "float64"
    if column in ("row", "month"):
        return "int64"
    return "string"


def missing_column(column: str, index: pd.Index) -> pd.Series:
    """An all-missing column of the right dtype (NaN for floats, NaT, <NA>)."""
    dtype: Any = _dtype(column)
    return pd.Series(None, index=index, dtype=object).astype(dtype)


class _TableChecker:
    """Types one raw table column by column and records problems as it goes."""

    def __init__(self, table: RawTable, fiscal_year_start: int, slash_dates: bool) -> None:
        self.table = table
        self.slash_dates = slash_dates  # read 03/04/2026 the way the column's other dates go
        self.raw = table.frame
        self.spec = SHEETS[table.kind]
        self.fiscal_year_start = fiscal_year_start
        self.problems: list[Problem] = []
        self.out = pd.DataFrame(index=self.raw.index)

    def flag(
        self,
        column: str,
        mask: pd.Series,
        rule: str,
        hint: str,
        severity: str = "error",
        values: pd.Series | None = None,
    ) -> None:
        if not mask.any():
            return
        shown = (
            values
            if values is not None
            else self.raw.get(column, pd.Series(None, index=self.raw.index, dtype=object))
        )[mask]
        self.problems.extend(
            problems_for_rows(
                self.table.file,
                self.table.sheet,
                column,
                self.raw.index[mask.to_numpy()],
                shown.tolist(),
                rule,
                hint,
                severity,  # type: ignore[arg-type]
            )
        )

    def typed(self, column: ColumnSpec) -> None:
        raw = self.raw.get(column.name)
        if raw is None:
            self.out[column.name] = missing_column(column.name, self.raw.index)
            return
        if column.type in _NUMERIC_TYPES:
            values, bad = to_numbers(raw)
            self.flag(column.name, bad, "not a number", "write a number such as 1050 or 1 050,00 €")
            huge = out_of_range_numbers(values)
            self.flag(column.name, huge, "number out of range", NUMBER_RANGE_HINT)
            values = values.mask(huge)  # never summed, even when the row is skipped
        elif column.type == "date":
            values, bad, far = to_dates(raw, self.slash_dates)
            self.flag(
                column.name, bad, "not a date", "write a date such as 2026-10-31 or 31.10.2026"
            )
            self.flag(column.name, far, "date out of range", DATE_RANGE_HINT)
        elif column.type == "currency":
            values, bad = to_currency(raw)
            self.flag(column.name, bad, "not a currency code", "write a code such as EUR or USD")
        else:
            values = to_text(raw)
        self.out[column.name] = values

    def required_values(self) -> None:
        for name in self.spec.required:
            if name in self.raw:
                blank = blank_mask(self.raw[name])
                self.flag(
                    name,
                    blank,
                    "required value missing",
                    f"fill in {name}",
                    self.spec.row_severity,
                )

    def spans(self) -> None:
        """start/end of every row from its date, else its period."""
        date = self.out.get("date")
        if "period" in self.raw:
            start, end, bad, far = to_period_spans(self.raw["period"], self.fiscal_year_start)
            self.flag(
                "period", bad, "not a period", "write a period such as 2026-10, 2026-Q4 or 2026"
            )
            self.flag("period", far, "date out of range", DATE_RANGE_HINT)
            bad = bad | far
        else:  # dated rows only (e.g. daily exports): nothing to parse
            start = end = missing_column("start", self.raw.index)
            bad = pd.Series(False, index=self.raw.index)
        if date is not None:
            has_date = date.notna()
            start = start.where(~has_date, date)
            end = end.where(~has_date, date)
        self.out["start"], self.out["end"] = start, end
        if self.table.kind in ("results", "costs"):
            missing = start.isna() & ~bad
            if "date" in self.raw:
                missing &= blank_mask(self.raw["date"])
            self.flag(
                "date",
                missing,
                "date or period missing",
                "fill in the date (or the period, e.g. 2026-10)",
            )


def normalise_table(
    table: RawTable,
    fiscal_year_start: int = 1,
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    whole_columns: bool = True,
    notes: list[str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type one raw table; returns the canonical frame and the problems found in it.

    `period` (first, last day) is the period the file must stay within, if one is set.
    `whole_columns=False` for a partition of a file: what its part of a column shows
    must not decide how an ambiguous 03/04/2026 is read (it would depend on the split).
    Notes on what was assumed (records folded or left out) are appended to `notes`.
    """
    checker = _TableChecker(table, fiscal_year_start, whole_columns)
    for column in checker.spec.columns:
        if column.name != "period":
            checker.typed(column)
    if table.rows == "records" and table.kind == "results":
        _collapse_records(checker, notes if notes is not None else [])
    checker.required_values()
    if table.kind in ("results", "costs", "targets"):
        checker.spans()
    checker.problems.extend(
        check_rules(
            checker.out,
            checker.raw,
            table.kind,
            (table.file, table.sheet),
            # ad platforms report fractional (attributed) conversions; warn only
            whole_counts_required=table.preset is None,
            period=period,
        )
    )
    checker.problems.extend(unknown_value_warnings(table, len(checker.out)))
    if table.kind == "targets":
        _check_targets(checker)
    elif table.kind == "fx_rates":
        _check_fx(checker)
    elif table.kind in PEOPLE_KINDS:
        for issue in people_issues(checker.out, table.kind):
            checker.flag(issue.column, issue.rows, issue.rule, issue.hint, "warning")
    out = checker.out
    out["file"] = table.file
    out["sheet"] = table.sheet
    out["row"] = out.index.astype("int64")
    out = out.reset_index(drop=True)
    for name in FRAME_COLUMNS[table.kind]:
        if name not in out:
            out[name] = missing_column(name, out.index)
    return out[list(FRAME_COLUMNS[table.kind])].astype(
        {c: _dtype(c) for c in FRAME_COLUMNS[table.kind]}
    ), checker.problems


def _collapse_records(checker: _TableChecker, notes: list[str]) -> None:
    """Row-per-record exports: keep the first line of each won record, one conversion each."""
    keep, found = collapse_records(checker.out, checker.table.preset)
    kept = set(keep.tolist())
    checker.problems = [p for p in checker.problems if p.row is None or p.row in kept]
    checker.out, checker.raw, unsourced = as_conversions(
        checker.out.loc[keep], checker.raw.loc[keep], checker.table.preset
    )
    where = f"{checker.table.file} [{checker.table.sheet}]"
    notes.extend(f"{where}: {note}" for note in [*found, *unsourced])


def _check_targets(checker: _TableChecker) -> None:
    from roi_reports.metrics import METRICS

    out = checker.out
    dimension = out["dimension"].str.lower()
    out["dimension"] = dimension
    bad_dimension = dimension.notna() & ~dimension.isin(TARGET_DIMENSIONS)
    checker.flag(
        "dimension",
        bad_dimension.fillna(False),
        "unknown dimension",
        "use one of " + ", ".join(TARGET_DIMENSIONS),
    )
    metric = out["metric"].str.lower()
    out["metric"] = metric
    bad_metric = metric.notna() & ~metric.isin(list(METRICS))
    checker.flag(
        "metric",
        bad_metric.fillna(False),
        "unknown metric",
        "use a metric name such as revenue, roi_pct or conversions",
    )
    no_name = (dimension != "total").fillna(False) & out["name"].isna()
    checker.flag(
        "name", no_name, "name missing", "name the channel, employee or campaign the target is for"
    )
    out["period"] = to_text(checker.raw["period"]) if "period" in checker.raw else pd.NA


def _check_fx(checker: _TableChecker) -> None:
    out = checker.out
    start, _, bad, far = to_period_spans(checker.raw["month"], 1)
    checker.flag("month", bad, "not a month", "write the month as YYYY-MM, e.g. 2026-10")
    checker.flag("month", far, "date out of range", DATE_RANGE_HINT)
    bad = bad | far
    out["month"] = month_indexes(start).astype("Int64")
    positive = (out["rate"] > 0).fillna(True)
    checker.flag(
        "rate",
        ~positive,
        "rate must be positive",
        "write how many reporting-currency units one unit of the currency buys",
    )
    keep = ~(bad | out["rate"].isna() | out["currency"].isna() | ~positive)
    checker.out = out[keep]


def combine(frames: Sequence[pd.DataFrame], kind: SheetKind) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_frame(kind)
    return pd.concat(frames, ignore_index=True)


def fx_rate_per_row(frame: pd.DataFrame, fx: pd.DataFrame, reporting_currency: str) -> np.ndarray:
    """Each row's rate to the reporting currency: 1 for its own rows, NaN where none is known.

    Row-wise (a merge with the small fx table), so engines apply it per partition too.
    """
    currency = frame["currency"].fillna(reporting_currency)
    foreign = (currency != reporting_currency).to_numpy()
    rate = np.ones(len(frame))
    if not foreign.any():
        return rate
    months = month_indexes(frame["start"])
    key = pd.DataFrame({"currency": currency.astype(str), "month": months})[foreign]
    rates = fx.drop_duplicates(["currency", "month"], keep="last").astype(
        {"currency": str, "month": "int64"}
    )
    rate[foreign] = key.merge(
        rates[["currency", "month", "rate"]], how="left", on=["currency", "month"]
    )["rate"].to_numpy()
    return rate


def convert_currency(
    frame: pd.DataFrame,
    money_columns: Sequence[str],
    fx: pd.DataFrame,
    reporting_currency: str,
    report: ValidationReport,
) -> pd.DataFrame:
    """Amounts in other currencies × the rate of their month; missing rates → problems."""
    rate = fx_rate_per_row(frame, fx, reporting_currency)
    if (rate == 1.0).all():
        return frame.assign(currency=reporting_currency)
    missing = np.isnan(rate)
    if missing.any():
        report.problems.extend(missing_rate_problems(frame[missing], reporting_currency))
    converted = frame.copy()
    for column in money_columns:
        converted[column] = converted[column] * rate
    converted["currency"] = reporting_currency
    return converted


def missing_rate_problems(rows: pd.DataFrame, reporting_currency: str) -> list[Problem]:
    """One problem per sheet, currency and month without a rate, at its first row: one
    missing rate is one fix, however many rows it blocks (the hint names them)."""
    found = pd.DataFrame(
        {
            "file": rows["file"].astype(str),
            "sheet": rows["sheet"].astype(str),
            "currency": rows["currency"].astype(str),
            "month": month_indexes(rows["start"]),
            "row": rows["row"].astype("int64"),
        }
    )
    problems = []
    keys = ["file", "sheet", "currency", "month"]
    for _, group in found.groupby(keys, sort=False):
        first = group.iloc[0]
        file, sheet, currency, month_index = (first[key] for key in keys)
        month = f"{int(month_index) // 12:04d}-{int(month_index) % 12 + 1:02d}"
        lines = sorted(group["row"].tolist())
        more = f" (it blocks {row_ranges(lines)})" if len(lines) > 1 else ""
        problems.append(
            Problem(
                str(file),
                str(sheet),
                lines[0],
                "currency",
                str(currency),
                "no exchange rate",
                f"add a row to the fx_rates sheet: currency {currency}, month {month}, "
                f"rate ({reporting_currency} per 1 {currency}){more}",
            )
        )
    return problems


def row_ranges(rows: Sequence[int], shown: int = 3) -> str:
    """`rows 2–40, 45 and 50–60`; past `shown` runs, `… and 12 more rows`."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    texts = [f"{first}–{last}" if last > first else str(first) for first, last in runs]
    listed = sum(last - first + 1 for first, last in runs[:shown])
    if len(runs) > shown:
        return f"rows {', '.join(texts[:shown])} and {len(rows) - listed:,} more rows"
    head, tail = texts[:-1], texts[-1]
    return f"rows {', '.join(head)} and {tail}" if head else f"rows {tail}"


def check_fx_duplicates(fx: pd.DataFrame, report: ValidationReport) -> None:
    clash = fx.groupby(["currency", "month"])["rate"].transform("nunique") > 1
    for _, row in fx[clash].iterrows():
        month = f"{int(row['month']) // 12:04d}-{int(row['month']) % 12 + 1:02d}"
        report.problems.append(
            Problem(
                str(row["file"]),
                str(row["sheet"]),
                int(row["row"]),
                "rate",
                str(row["rate"]),
                "conflicting exchange rates",
                f"{row['currency']} {month} has more than one rate; keep one",
            )
        )
