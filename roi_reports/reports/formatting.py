"""The one place numbers and dates become text: PDF cells, e-mail bodies, Excel formats.

Values keep the units of the metric registry (`roi_pct` 110 means 110 %, `roas` 2.1 means
2.1×), so Excel cells can hold exactly the engine's numbers and only their formats differ.
Undefined values print as "–". Persian (`fa`) prints Persian digits and separators
(`۱٬۰۵۰٫۰۰`, `۱۱۰٫۰٪`): Babel gives the separators, digits are transliterated here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import (
    format_currency,
    format_decimal,
    format_scientific,
    get_currency_precision,
    get_currency_symbol,
    parse_pattern,
)

from roi_reports.i18n import N_, gettext_for
from roi_reports.metrics import METRICS, Unit

MISSING = "–"
PCT_DECIMALS = 1
RATIO_DECIMALS = 2
HUGE = 1e15  # from here on numbers print in scientific notation
PERSIAN_DIGITS = str.maketrans("0123456789%", "۰۱۲۳۴۵۶۷۸۹٪")
# CLDR's own numbering system per language: Persian uses ٬ and ٫, the others Latin symbols
NUMBERING = {"fa": "arabext"}


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def is_missing(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (str(value) in ("<NA>", "nan", "NaT"))
    )


def _undefined(value: object) -> bool:
    # the engine gives NaN for undefined; an infinity would be a bug, never printed as ∞
    return is_missing(value) or not math.isfinite(float(value))  # type: ignore[arg-type]


def shorten(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in "…" when cut: a name from a file may be
    any length, a report's line may not."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def localise_digits(text: str, language: str) -> str:
    """`2026-10` → `۲۰۲۶-۱۰` in Persian; other languages keep Latin digits."""
    return text.translate(PERSIAN_DIGITS) if language == "fa" else text


def format_value(value: object, unit: Unit, currency: str, language: str = "en") -> str:
    """110 (percent) → `110.0%`; 1050 (money, EUR, fi) → `1 050,00 €`; NaN → `–`."""
    if _undefined(value):
        return MISSING
    return localise_digits(_format_number(float(value), unit, currency, language), language)  # type: ignore[arg-type]


def format_megabytes(megabytes: float, language: str = "en", pattern: str = "#,##0.0") -> str:
    """5.25 → `5.2 MB`, `5,2 MB` (fi), `۵٫۲ MB` (fa): a size in an email body."""
    number = format_decimal(megabytes, format=pattern, locale=_locale(language))
    return localise_digits(f"{number} MB", language)


def round_half_up(number: float, decimals: int) -> Decimal:
    """`number` rounded half away from zero, as Excel rounds what a cell shows.

    Babel (and Python's round) round half to even, so the PDF would say 31.2 % where the
    workbook's `0.0"%"` shows 31.3 %. `repr` is the shortest decimal that reads back as
    the float, the digits a user typed: 1.005 rounds to 1.01 as in Excel, not to 1.00 as
    the binary 1.00499… would.
    """
    return Decimal(repr(number)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _format_number(number: float, unit: Unit, currency: str, language: str) -> str:
    locale = _locale(language)
    system = NUMBERING.get(language, "latn")
    if abs(number) >= HUGE:
        return _huge(number, unit, currency, locale)
    # Rounded here to the shown precision, Babel's own half-even rounding has nothing left
    # to round.
    if unit == "money":
        amount = round_half_up(number, get_currency_precision(currency))
        return str(format_currency(amount, currency, locale=locale, numbering_system=system))
    if unit == "percent":
        pattern = parse_pattern(locale.percent_formats[None].pattern)
        pattern.frac_prec = (PCT_DECIMALS, PCT_DECIMALS)
        share = round_half_up(number, PCT_DECIMALS) / 100  # exact: Decimal division by 100
        return str(pattern.apply(share, locale, numbering_system=system))
    if unit == "ratio":
        text = format_decimal(
            round_half_up(number, RATIO_DECIMALS),
            format="#,##0.00",
            locale=locale,
            numbering_system=system,
        )
        return str(text) + "×"
    return str(
        format_decimal(
            round_half_up(number, 0), format="#,##0", locale=locale, numbering_system=system
        )
    )


def format_day(value: date, language: str = "en") -> str:
    """A calendar date: ISO `2026-10-31` in English, `31.10.2026` in Finnish, `۲۰۲۶/۱۰/۳۱`
    in Persian (CLDR's short date of the locale, four-digit year)."""
    if language == "en":
        return value.isoformat()
    pattern = _locale(language).date_formats["short"].pattern.replace("yy", "y")
    pattern = pattern.replace("yyyy", "y").replace("y", "yyyy")
    return localise_digits(str(babel_format_date(value, pattern, locale=language)), language)


def _huge(number: float, unit: Unit, currency: str, locale: Locale) -> str:
    """1.2E30 % rather than 31 digits (and Babel's decimal context overflows past ~1E28)."""
    text = str(format_scientific(number, "0.0#E0", locale=locale))
    suffix = {"money": f" {currency}", "percent": " %", "ratio": "×", "count": ""}[unit]
    return text + suffix


def format_metric(name: str, value: object, currency: str, language: str = "en") -> str:
    return format_value(value, METRICS[name].unit, currency, language)


def format_change(value: object, unit: Unit, currency: str, language: str = "en") -> str:
    """A signed change: `+12.5%` (relative), `−€300.00`; a metric's own change, which is
    in percentage points for a percent metric, goes through `format_metric_change`."""
    if _undefined(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    return _sign(number) + format_value(abs(number), unit, currency, language)


def _sign(number: float) -> str:
    return "+" if number > 0 else "−" if number < 0 else "±"


# a targets table's level and status, as the model writes them → shown in the language
TARGET_STATUSES = {"met": N_("met"), "behind": N_("behind"), "no data": N_("no data")}
TARGET_LEVELS = {
    "total": N_("total"),
    "channel": N_("channel"),
    "employee": N_("employee"),
    "campaign": N_("campaign"),
}


def target_status(status: str, _: Callable[[str], str]) -> str:
    return _(TARGET_STATUSES.get(status, status))


def target_level(dimension: str, _: Callable[[str], str]) -> str:
    return _(TARGET_LEVELS.get(dimension, dimension))


POINTS = N_("pp")  # percentage points: what a change of a percent metric is measured in


def format_metric_change(metric: str, value: object, currency: str, language: str = "en") -> str:
    """A metric's change in its own unit; a percent metric's change is in percentage
    points (ROI 10 % → 15 % is `+5.0 pp`, not `+5.0%`, which reads as a relative change)."""
    unit = METRICS[metric].unit
    if unit != "percent" or _undefined(value):
        return format_change(value, unit, currency, language)
    number = float(value)  # type: ignore[arg-type]
    if abs(number) >= HUGE:
        text = _huge(abs(number), "count", currency, _locale(language))
    else:
        text = format_decimal(
            round_half_up(abs(number), PCT_DECIMALS),
            format="#,##0.0",
            locale=_locale(language),
            numbering_system=NUMBERING.get(language, "latn"),
        )
    return f"{_sign(number)}{localise_digits(str(text), language)} {gettext_for(language)(POINTS)}"


def excel_number_format(unit: Unit, currency: str, language: str = "en") -> str:
    """An Excel number-format code that shows the cell's value as `format_value` does.

    Percent cells hold 110 for 110 %, so the format appends a literal % instead of using
    Excel's %, which would multiply by 100.
    """
    if unit == "money":
        locale = _locale(language)
        symbol = get_currency_symbol(currency, locale=locale)
        pattern = locale.currency_formats["standard"].pattern.split(";")[0]
        pattern = pattern.replace("\u200e", "").replace("\xa0", " ")
        decimals = get_currency_precision(currency)  # ¥ and ﷼ have none, as in the PDFs
        pattern = pattern.replace("#,##0.00", "#,##0" + ("." + "0" * decimals if decimals else ""))
        positive = pattern.replace("¤", f'"{symbol}"').strip()
        return f"{positive};-{positive}"
    if unit == "percent":
        return '#,##0.0" %"' if language == "fi" else '#,##0.0"%"'
    if unit == "ratio":
        return '0.00"×"'
    return "#,##0"


def excel_change_format(unit: Unit, currency: str, language: str = "en") -> str:
    """A signed Excel format for changes, shown as `format_change` prints them (`+12.5%`)."""
    positive = excel_number_format(unit, currency, language).split(";")[0]
    return f"\\+{positive};\\−{positive};\\±{positive}"
