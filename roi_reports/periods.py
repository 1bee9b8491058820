"""Reporting periods: parsing `2026-10`, `2026-Q3`, `2026`, `previous-month`, fiscal years.

A fiscal year is named by the calendar year it starts in: with `fiscal_year_start = 4`,
`2026` is 1 Apr 2026 – 31 Mar 2027 and `2026-Q1` is Apr–Jun 2026. With the default
start (January) fiscal and calendar periods coincide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from roi_reports.errors import UsageError

PeriodKind = Literal["month", "quarter", "year"]
TIME_DIMENSIONS: tuple[PeriodKind, ...] = ("month", "quarter", "year")
MONTHS_IN: dict[PeriodKind, int] = {"month": 1, "quarter": 3, "year": 12}

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_YEAR_RE = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of calendar days with the label users wrote for it."""

    start: date
    end: date  # inclusive
    kind: PeriodKind
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def month_index(year: int, month: int) -> int:
    """Months since year 0: makes month arithmetic a matter of integer addition."""
    return year * 12 + month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _span(first_month: int, months: int) -> tuple[date, date]:
    start = _month_start(first_month)
    end = _month_start(first_month + months) - timedelta(days=1)
    return start, end


def make_period(kind: PeriodKind, first_month: int, fiscal_year_start: int = 1) -> Period:
    """The period of `kind` that begins at month index `first_month`."""
    start, end = _span(first_month, MONTHS_IN[kind])
    return Period(start, end, kind, period_label(kind, first_month, fiscal_year_start))


def period_label(kind: PeriodKind, first_month: int, fiscal_year_start: int = 1) -> str:
    if kind == "month":
        return f"{first_month // 12:04d}-{first_month % 12 + 1:02d}"
    fiscal_offset = (first_month - (fiscal_year_start - 1)) % 12
    fiscal_year = (first_month - fiscal_offset) // 12
    if kind == "year":
        return f"{fiscal_year:04d}"
    return f"{fiscal_year:04d}-Q{fiscal_offset // 3 + 1}"


def parse_period(text: str, *, today: date | None = None, fiscal_year_start: int = 1) -> Period:
    """Parse the period syntax of SPEC §4; raise UsageError naming the accepted forms."""
    value = text.strip()
    fiscal_first = fiscal_year_start - 1
    if value.lower() == "previous-month":
        today = today or date.today()
        return make_period("month", month_index(today.year, today.month) - 1, fiscal_year_start)
    if match := _MONTH_RE.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return make_period("month", month_index(year, month), fiscal_year_start)
    elif match := _QUARTER_RE.match(value):
        year, quarter = int(match[1]), int(match[2])
        first = year * 12 + fiscal_first + (quarter - 1) * 3
        return make_period("quarter", first, fiscal_year_start)
    elif match := _YEAR_RE.match(value):
        return make_period("year", int(match[1]) * 12 + fiscal_first, fiscal_year_start)
    raise UsageError(
        f"unknown period {text!r}: use YYYY-MM (2026-10), YYYY-Qn (2026-Q3), YYYY (2026) "
        "or previous-month"
    )


def previous_period(period: Period, fiscal_year_start: int = 1) -> Period:
    """The period of the same kind and length just before `period`."""
    first = month_index(period.start.year, period.start.month)
    return make_period(period.kind, first - MONTHS_IN[period.kind], fiscal_year_start)


# ---- vectorised helpers over date columns -------------------------------------------------


def month_indexes(dates: pd.Series) -> pd.Series:
    """Month index (see `month_index`) of every date in a datetime64 column."""
    return dates.dt.year * 12 + dates.dt.month - 1


def time_keys(dates: pd.Series, kind: PeriodKind, fiscal_year_start: int = 1) -> pd.Series:
    """Labels (`2026-10`, `2026-Q4`, `2026`) for a datetime64 column, as a categorical."""
    return month_keys(month_indexes(dates), kind, fiscal_year_start)


def month_keys(months: pd.Series, kind: PeriodKind, fiscal_year_start: int = 1) -> pd.Series:
    """Labels for a column of month indexes, as a categorical.

    Labels are computed once per distinct month, not per row, so a million rows cost
    little more than their distinct months.
    """
    codes, uniques = pd.factorize(months, sort=True)
    fiscal_first = fiscal_year_start - 1
    labels = []
    for first in uniques:
        first = int(first)
        if kind == "quarter":
            first -= (first - fiscal_first) % 3
        elif kind == "year":
            first -= (first - fiscal_first) % 12
        labels.append(period_label(kind, first, fiscal_year_start))
    label_codes, label_values = pd.factorize(np.asarray(labels, dtype=object), sort=True)
    mapped = np.where(codes >= 0, label_codes[codes] if len(labels) else codes, -1)
    categories = pd.Index(list(label_values), dtype=object)
    return pd.Series(
        pd.Categorical.from_codes(mapped.astype("int64"), categories=categories),
        index=months.index,
    )
