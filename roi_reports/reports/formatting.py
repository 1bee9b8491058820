"""The one place numbers become text: PDF cells, e-mail bodies and Excel number formats.

Values keep the units of the metric registry (`roi_pct` 110 means 110 %, `roas` 2.1 means
2.1×), so Excel cells can hold exactly the engine's numbers and only their formats differ.
Undefined values print as "–".
"""

from __future__ import annotations

import math
from functools import lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    format_decimal,
    format_scientific,
    get_currency_symbol,
    parse_pattern,
)

from roi_reports.metrics import METRICS, Unit

MISSING = "–"
PCT_DECIMALS = 1
HUGE = 1e15  # from here on numbers print in scientific notation


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


def format_value(value: object, unit: Unit, currency: str, language: str = "en") -> str:
    """110 (percent) → `110.0%`; 1050 (money, EUR, fi) → `1 050,00 €`; NaN → `–`."""
    if _undefined(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    locale = _locale(language)
    if abs(number) >= HUGE:
        return _huge(number, unit, currency, locale)
    if unit == "money":
        return str(format_currency(number, currency, locale=locale))
    if unit == "percent":
        pattern = parse_pattern(locale.percent_formats[None].pattern)
        pattern.frac_prec = (PCT_DECIMALS, PCT_DECIMALS)
        return str(pattern.apply(number / 100, locale))
    if unit == "ratio":
        return str(format_decimal(number, format="#,##0.00", locale=locale)) + "×"
    return str(format_decimal(round(number), format="#,##0", locale=locale))


def _huge(number: float, unit: Unit, currency: str, locale: Locale) -> str:
    """1.2E30 % rather than 31 digits (and Babel's decimal context overflows past ~1E28)."""
    text = str(format_scientific(number, "0.0#E0", locale=locale))
    suffix = {"money": f" {currency}", "percent": " %", "ratio": "×", "count": ""}[unit]
    return text + suffix


def format_metric(name: str, value: object, currency: str, language: str = "en") -> str:
    return format_value(value, METRICS[name].unit, currency, language)


def format_change(value: object, unit: Unit, currency: str, language: str = "en") -> str:
    """A signed change: `+12.5%`, `−€300.00`; percent-point changes keep the % sign."""
    if _undefined(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    text = format_value(abs(number), unit, currency, language)
    sign = "+" if number > 0 else "−" if number < 0 else "±"
    return sign + text


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
