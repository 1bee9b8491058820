"""The export's own period: the reporting range an export states, mapped onto a period.

Rows without a date column take the range the export states (SPEC §2):
- Google Ads date-range line: `July 8, 2025 - July 31, 2025`, `27 January 2026 - 23
  February 2026`, `All time`;
- GA4 comment block: `# Start date: 20241001` and `# End date: 20241031`;
- Microsoft Advertising `Report Time: 7/1/2025,7/31/2025` (or one day, `7/1/2025`);
- LinkedIn `Report Start: …` and `Report End: …` lines;
- Meta `Reporting starts` / `Reporting ends` columns (per row, see `containing_periods`).

A range becomes the smallest month, quarter or year that contains it, as if the rows
had that `period`; a note names the range and says when it covers only part of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

_DATE_FORMATS = (
    "%B %d, %Y",  # July 8, 2025
    "%b %d, %Y",  # Jul 8, 2025
    "%d %B %Y",  # 27 January 2026
    "%d %b %Y",  # 27 Jan 2026
    "%m/%d/%Y",  # 7/31/2025 (Microsoft, LinkedIn: US order)
    "%Y-%m-%d",
    "%Y%m%d",  # GA4
    "%d.%m.%Y",
)
_RANGE_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s*,\s*(?=\d{1,2}/)|\s+to\s+")
_LABELLED = re.compile(
    r"(?i)^#?\s*(start date|end date|report start|report end|report time|date range"
    r"|reporting period)\s*:\s*(.+)$"
)
ALL_TIME = re.compile(r"(?i)^\s*(all time|lifetime|maximum)\s*$")


@dataclass(frozen=True)
class StatedRange:
    start: dt.date
    end: dt.date
    source: str  # the line(s) it was read from, for notes and `inspect`


class AllTime(Exception):
    """The export covers "All time": no period can be told from it."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


# a header scan asks again about every line above each candidate row (`layout.locate`)
@lru_cache(maxsize=4096)
def parse_day(text: str) -> dt.date | None:
    """A date as export headers write it (time of day and time zone ignored)."""
    value = re.sub(r"(?i)[,\s]+\d{1,2}:\d{2}.*$", "", text.strip())  # `7/1/2025, 12:00 AM`
    value = re.sub(r"\s+", " ", value.replace(".", ". ").replace(". ,", ".,")).strip()
    value = value.replace(". ", ".") if re.fullmatch(r"[\d. ]+", value) else value
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.replace("Sept ", "Sep "), pattern).date()
        except ValueError:
            continue
    return None


def _range_of(text: str) -> tuple[dt.date, dt.date] | None:
    parts = _RANGE_SEPARATOR.split(text.strip(), maxsplit=1)
    days = [parse_day(part) for part in parts]
    if len(days) == 2 and days[0] and days[1] and days[0] <= days[1]:
        return days[0], days[1]
    if len(days) == 1 and days[0]:
        return days[0], days[0]
    return None


def stated_range(lines: Iterable[str]) -> StatedRange | None:
    """The reporting range stated in an export's preamble lines (None when none is).

    Raises `AllTime` when the export says it covers "All time"."""
    start: tuple[dt.date, str] | None = None
    end: tuple[dt.date, str] | None = None
    for line in lines:
        text = line.strip().strip('"')
        if ALL_TIME.match(text):
            raise AllTime(text)
        if match := _LABELLED.match(text):
            label, value = match[1].lower(), match[2]
            if label in ("start date", "report start") and (day := parse_day(value)):
                start = (day, text)
            elif label in ("end date", "report end") and (day := parse_day(value)):
                end = (day, text)
            elif found := _range_of(value):
                return StatedRange(found[0], found[1], text)
        elif found := _range_of(text):
            return StatedRange(found[0], found[1], text)
    if start and end and start[0] <= end[0]:
        return StatedRange(start[0], end[0], f"{start[1]}; {end[1]}")
    return None


@dataclass(frozen=True)
class Containing:
    label: str  # `2025-07`, `2025-Q3`, `2025`
    partial: bool
    kind: str  # month, quarter, year


def containing_period(start: dt.date, end: dt.date, fiscal_year_start: int = 1) -> Containing:
    """The smallest month, quarter or (fiscal) year that contains start..end."""
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    shift = fiscal_year_start - 1  # a fiscal year is named by the calendar year it starts in
    if first == last:
        begin, months, label, kind = first, 1, f"{start.year:04d}-{start.month:02d}", "month"
    elif (first - shift) // 3 == (last - shift) // 3:
        begin, months, kind = first - (first - shift) % 3, 3, "quarter"
        label = f"{(begin - shift) // 12:04d}-Q{(begin - shift) % 12 // 3 + 1}"
    elif (first - shift) // 12 == (last - shift) // 12:
        begin, months, kind = first - (first - shift) % 12, 12, "year"
        label = f"{(begin - shift) // 12:04d}"
    else:
        raise ValueError(f"{start} – {end} spans more than one year")
    period_start = dt.date(begin // 12, begin % 12 + 1, 1)
    after = begin + months
    period_end = dt.date(after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)
    return Containing(label, (start, end) != (period_start, period_end), kind)


def describe(start: dt.date, end: dt.date, found: Containing) -> str:
    """`8–31 July 2025 reported as 2025-07 (partial month)`."""
    if start.year == end.year and start.month == end.month:
        span = f"{start.day}–{end.day} {start:%B %Y}" if start != end else f"{start:%-d %B %Y}"
    else:
        span = f"{start:%-d %B %Y} – {end:%-d %B %Y}"
    partial = f" (partial {found.kind})" if found.partial else ""
    return f"{span} reported as {found.label}{partial}"


def containing_periods(
    starts: pd.Series, ends: pd.Series, fiscal_year_start: int = 1
) -> tuple[pd.Series, list[str]]:
    """Per row: the period containing its own range (Meta `Reporting starts/ends`),
    and one note per distinct range. Rows whose range cannot be read get None."""
    labels = pd.Series(None, index=starts.index, dtype=object)
    notes: list[str] = []
    pairs = pd.DataFrame({"start": starts, "end": ends}).dropna()
    for key, rows in pairs.groupby(["start", "end"], sort=True).groups.items():
        bounds: tuple[object, object] = key  # type: ignore[assignment]
        first, last = (pd.Timestamp(bound).date() for bound in bounds)  # type: ignore[arg-type]
        if first > last:
            continue
        try:
            found = containing_period(first, last, fiscal_year_start)
        except ValueError:
            continue
        labels.loc[rows] = found.label
        if first != last:
            notes.append(describe(first, last, found))
    return labels.where(labels.notna(), np.nan), notes
