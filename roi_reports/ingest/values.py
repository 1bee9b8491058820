"""Cell values → typed columns: numbers, dates, periods, currency codes.

Real numbers and dates pass through vectorised; only text cells are parsed, once per
distinct text (a column of a million rows rarely has many distinct spellings), so the
cost scales with the variety of the data, not its size.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from roi_reports.periods import MONTHS_IN, PeriodKind, month_index

# Excel's day zero in the 1900 date system (serial 1 = 1900-01-01, with the 1900 leap bug)
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 9999-12-31
# The dates a row may have. Outside, a date is a typo (9999-12-31, 0001-01-01), and
# pandas could not hold it anyway (nanosecond timestamps end on 2262-04-11).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2199, 12, 31)
DATE_RANGE_HINT = (
    f"write a date between {FIRST_DATE:%Y-%m-%d} and {LAST_DATE:%Y-%m-%d}; is the year mistyped?"
)
FIRST_MONTH = FIRST_DATE.year * 12
# The largest count or amount a cell may hold. Beyond it a number is a typo or a pasted
# identifier (1e308, a 400-digit cell), and summing such values would overflow to inf:
# a figure that looks computed but is not.
MAX_NUMBER = 1e15
NUMBER_RANGE_HINT = (
    "write a number between -1,000,000,000,000,000 and 1,000,000,000,000,000; "
    "is it mistyped, or an ID pasted into the wrong column?"
)
LAST_MONTH = LAST_DATE.year * 12 + LAST_DATE.month - 1

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_CURRENCY_MARKS = re.compile(r"(?i)[€$£¥﷼]|\b(?:eur|usd|gbp|sek|nok|irr|irt|toman|rial)\b")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def parse_number_text(text: str) -> float | None:
    """`1 050,00 €`, `$1,050.00`, `(500)`, `۱۲۳٬۴۵۶`, `12 %` → float; None if not a number."""
    value = text.strip().translate(_DIGITS).replace("٬", ",").replace("٫", ".")
    value = value.replace("\u2212", "-")
    if not value:
        return None
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1]
    value = _CURRENCY_MARKS.sub("", value).replace("%", "")
    value = _SPACES.sub("", value)
    if "," in value and "." in value:
        # the separator that comes last is the decimal one
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    elif "," in value:
        value = value.replace(",", "") if _THOUSANDS_COMMA.match(value) else value.replace(",", ".")
    if not _PLAIN_NUMBER.match(value):
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    return -number if negative else number


def to_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(float column, mask of cells that are present but not numbers)."""
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    blank = _blank_where(values, numeric.isna())
    leftover = numeric.isna() & ~blank
    if leftover.any():
        texts = values[leftover]
        parsed = texts.map(
            lambda v: parse_number_text(v) if isinstance(v, str) else _number_or_none(v)
        )
        numeric.loc[leftover] = parsed.astype("float64")
    bad = numeric.isna() & ~blank
    return numeric, bad


def out_of_range_numbers(numbers: pd.Series) -> pd.Series:
    """Numbers beyond ±MAX_NUMBER, infinities included (NaN is not out of range)."""
    return numbers.notna() & ~(numbers.abs() <= MAX_NUMBER)


def _number_or_none(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def _is_blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


# what `infer_dtype` calls a column of cells none of which is text (missing ones skipped)
_NO_TEXT = frozenset(
    {"empty", "floating", "integer", "mixed-integer-float", "boolean", "date", "datetime"}
)


def blank_mask(values: pd.Series) -> pd.Series:
    if values.dtype != object:
        return values.isna()
    if pd.api.types.infer_dtype(values, skipna=True) in _NO_TEXT:
        # no text, so blank is missing: a numbers column has as many distinct values as
        # rows, and judging each of them costs far more than this
        return values.isna()
    # judged once per distinct value: text columns repeat a few names a million times
    return _map_distinct(values, _is_blank).fillna(True).astype(bool)


def _blank_where(values: pd.Series, candidates: pd.Series) -> pd.Series:
    """`blank_mask`, judged only where `candidates` holds (the rest is not blank)."""
    blank = pd.Series(False, index=values.index)
    if candidates.any():
        blank[candidates] = blank_mask(values[candidates])
    return blank


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
# an optional time after the date (`31.10.2026 14:30`) is ignored: rows are per day
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+\d{1,2}[:.]\d{2}.*)?$")
_SLASHED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: +\d{1,2}:\d{2}.*)?$")


SlashOrder = Literal["dmy", "mdy"]


@lru_cache(maxsize=65536)
def parse_date_text(text: str, slash_order: SlashOrder | None = None) -> dt.date | None:
    """ISO `2026-10-31`, Finnish `31.10.2026`, `10/31/2026` when unambiguous, and
    `03/04/2026` by `slash_order` (what the rest of its column shows), else not at all."""
    value = text.strip().translate(_DIGITS)
    try:
        if match := _ISO_DATE.match(value):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DOTTED_DATE.match(value):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        if match := _SLASHED_DATE.match(value):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            if first > 12 >= second:
                return dt.date(year, second, first)
            if second > 12 >= first:
                return dt.date(year, first, second)
            if slash_order == "dmy":
                return dt.date(year, second, first)
            if slash_order == "mdy":
                return dt.date(year, first, second)
            return None  # 03/04/2026: day and month cannot be told apart
    except ValueError:
        return None
    return None


def slash_order(values: Iterable[object]) -> SlashOrder | None:
    """How a column writes d/m/y dates, told by its unambiguous ones: a US export has
    10/31/2026 somewhere, a European one 31/10/2026. None when it shows neither or both."""
    orders = set()
    for value in values:
        if isinstance(value, str) and (match := _SLASHED_DATE.match(value.strip())):
            first, second = int(match[1]), int(match[2])
            if first > 12 >= second:
                orders.add("dmy")
            elif second > 12 >= first:
                orders.add("mdy")
    return orders.pop() if len(orders) == 1 else None  # type: ignore[return-value]


def _date_of(value: object, order: SlashOrder | None = None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        if 1 <= value <= MAX_EXCEL_SERIAL and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+(\.0+)?", text):
            return _date_of(float(text))
        return parse_date_text(text, order)
    return None


def _map_distinct(values: pd.Series, parse: Callable[[object], object]) -> pd.Series:
    """Apply `parse` once per distinct value (hashable cells), then broadcast."""
    return _map_uniques(values, lambda uniques: [parse(u) for u in uniques])


def _map_uniques(
    values: pd.Series, parse_all: Callable[[Sequence[object]], list[object]]
) -> pd.Series:
    """`parse_all` gets the distinct values at once (to judge them together)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = np.array([*parse_all(list(uniques)), None], dtype=object)
    return pd.Series(parsed[codes], index=values.index, dtype=object)


def to_dates(values: pd.Series, by_column: bool = True) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(datetime64 column, mask of cells that are present but not dates, mask of dates
    outside FIRST_DATE..LAST_DATE, which are left empty in the column).

    With `by_column`, 03/04/2026 is read the way the column's unambiguous slashed dates
    are written; without, it is not a date."""

    def parse_all(uniques: Sequence[object]) -> list[object]:
        order = slash_order(uniques) if by_column else None
        return [_date_of(value, order) for value in uniques]

    parsed = _map_uniques(values, parse_all)
    far = _map_distinct(parsed, _outside_date_range).fillna(False).astype(bool)
    dates = pd.to_datetime(parsed.where(~far, None), errors="coerce")
    bad = dates.isna() & ~far & ~_blank_where(values, dates.isna())
    return dates, bad, far


def _outside_date_range(day: object) -> bool:
    return isinstance(day, dt.date) and not FIRST_DATE <= day <= LAST_DATE


_PERIOD_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# 10/2026, 10.2026, 2026/10 — month and year as people type them
_PERIOD_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.](\d{4})$")
_PERIOD_YEAR_MONTH = re.compile(r"^(\d{4})/(\d{1,2})$")
# "October 2026", "lokakuu 2026", "loka 2026", "اکتبر ۲۰۲۶", "2026 Oct"
_PERIOD_NAMED_MONTH = re.compile(r"^(?:([^\W\d_]+)\.?\s+(\d{4})|(\d{4})\s+([^\W\d_]+)\.?)$")
# Q3 2026, Q3/2026, 2026 Q3
_PERIOD_QUARTER_WORDS = re.compile(r"^(?:Q([1-4])[\s/-]+(\d{4})|(\d{4})\s+Q([1-4]))$", re.I)
_ZERO_WIDTH = str.maketrans("", "", "\u200c\u200d\u200e\u200f")


@lru_cache(maxsize=1)
def month_words() -> dict[str, int]:
    """Month names in English, Finnish and Persian (Gregorian), full and short, → 1–12."""
    from babel.dates import get_month_names

    words: dict[str, int] = {}
    for language in ("en", "fi", "fa"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context, language)
                words.update({str(name).casefold(): number for number, name in names.items()})
    return words


_PERIOD_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_PERIOD_YEAR = re.compile(r"^(\d{4})$")


def _period_of(value: object, fiscal_year_start: int) -> tuple[int, PeriodKind] | None:
    """(first month index, kind) of a period cell; a date cell means its month.

    Excel turns `2026-10` typed into a cell into the date 1 Oct 2026, so dates count.
    """
    if isinstance(value, dt.date | pd.Timestamp):
        day = value if isinstance(value, dt.date) else value.date()
        return month_index(day.year, day.month), "month"
    if isinstance(value, float) and value.is_integer():
        value = str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip().translate(_DIGITS)
    if match := _PERIOD_MONTH.match(text):
        if 1 <= int(match[2]) <= 12:
            return month_index(int(match[1]), int(match[2])), "month"
        return None
    if month := _month_of(text.translate(_ZERO_WIDTH)):
        return month, "month"
    if match := _PERIOD_QUARTER_WORDS.match(text):
        quarter, year = (match[1], match[2]) if match[1] else (match[4], match[3])
        return int(year) * 12 + fiscal_year_start - 1 + (int(quarter) - 1) * 3, "quarter"
    if match := _PERIOD_QUARTER.match(text):
        return int(match[1]) * 12 + fiscal_year_start - 1 + (int(match[2]) - 1) * 3, "quarter"
    if match := _PERIOD_YEAR.match(text):
        return int(match[1]) * 12 + fiscal_year_start - 1, "year"
    return None


def _month_of(text: str) -> int | None:
    """Month index of `10/2026`, `2026/10`, `October 2026`, `lokakuu 2026`, `اکتبر 2026`."""
    year, month = None, None
    if match := _PERIOD_MONTH_YEAR.match(text):
        month, year = int(match[1]), int(match[2])
    elif match := _PERIOD_YEAR_MONTH.match(text):
        year, month = int(match[1]), int(match[2])
    elif match := _PERIOD_NAMED_MONTH.match(text):
        word, digits = (match[1], match[2]) if match[1] else (match[4], match[3])
        month, year = month_words().get(word.casefold()), int(digits)
    if year is None or month is None or not 1 <= month <= 12:
        return None
    return month_index(year, month)


def to_period_spans(
    values: pd.Series, fiscal_year_start: int = 1
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(start datetime64, end datetime64, bad mask, out-of-range mask) for a column of
    period cells; periods reaching outside FIRST_DATE..LAST_DATE are left empty."""
    periods = _map_distinct(values, lambda v: _period_of(v, fiscal_year_start))
    far = periods.map(
        lambda p: bool(p) and not FIRST_MONTH <= p[0] <= p[0] + MONTHS_IN[p[1]] - 1 <= LAST_MONTH
    ).astype(bool)
    parsed = periods.where(~far, None)
    first = parsed.map(lambda p: p[0] if p else None)
    months = parsed.map(lambda p: MONTHS_IN[p[1]] if p else None)
    starts = first.map(_month_start_or_none)
    ends = (first + months).map(_month_start_or_none)
    start = pd.to_datetime(starts, errors="coerce")
    end = pd.to_datetime(ends, errors="coerce") - pd.Timedelta(days=1)
    bad = start.isna() & ~far & ~blank_mask(values)
    return start, end, bad, far


def _month_start_or_none(index: object) -> dt.date | None:
    if index is None or (isinstance(index, float) and math.isnan(index)):
        return None
    month = int(index)  # type: ignore[call-overload]
    return dt.date(month // 12, month % 12 + 1, 1)


def to_text(values: pd.Series) -> pd.Series:
    """Strip text; blanks become missing. Text is never evaluated (`=SUM(…)` stays text)."""

    def clean(value: object) -> object:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return text or None

    return _map_distinct(values, clean).astype("string")


_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}


def to_currency(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(ISO code column, bad mask); symbols € $ £ ¥ are accepted."""
    text = to_text(values)
    upper = text.str.upper().replace(_CURRENCY_SYMBOLS)
    good = upper.str.fullmatch(_CURRENCY_CODE.pattern).fillna(False).astype(bool)
    bad = upper.notna() & ~good
    return upper.where(good), bad
