import math

import pytest

from roi_reports.reports.formatting import (
    excel_number_format,
    format_change,
    format_metric,
    format_metric_change,
    format_value,
)


@pytest.mark.parametrize(
    ("value", "unit", "language", "expected"),
    [
        (1050, "money", "en", "€1,050.00"),
        (1050, "money", "fi", "1\xa0050,00\xa0€"),
        (110, "percent", "en", "110.0%"),
        (110, "percent", "fi", "110,0\xa0%"),
        (2.1, "ratio", "en", "2.10×"),
        (1234, "count", "en", "1,234"),
        (math.nan, "money", "en", "–"),
        (None, "percent", "fi", "–"),
    ],
)
def test_format_value(value, unit, language, expected):
    assert format_value(value, unit, "EUR", language) == expected


def test_format_metric_uses_registry_unit():
    assert format_metric("roas", 2.1, "EUR") == "2.10×"
    assert format_metric("cpa", 100 / 3, "EUR") == "€33.33"


def test_format_change_signs():
    assert format_change(-12.34, "percent", "EUR") == "−12.3%"
    assert format_change(300, "money", "EUR") == "+€300.00"
    assert format_change(0, "count", "EUR") == "±0"
    assert format_change(math.nan, "count", "EUR") == "–"


def test_a_percent_metric_changes_by_percentage_points():
    # ROI 10 % → 15 % is five points, which "+5.0%" would misstate as a relative change
    assert format_metric_change("roi_pct", 5.04, "EUR") == "+5.0 pp"
    assert format_metric_change("roi_pct", -12.25, "EUR") == "−12.3 pp"  # half away from 0
    assert format_metric_change("conversion_rate_pct", 1.5, "EUR", "fi") == "+1,5 %-yks."
    assert format_metric_change("roi_pct", 5.0, "EUR", "fa") == "+۵٫۰ واحد درصد"
    assert format_metric_change("cost", 300, "EUR") == "+€300.00"  # other units as before
    assert format_metric_change("roi_pct", math.nan, "EUR") == "–"
    assert format_metric_change("roi_pct", -8e30, "EUR") == "−8.0E30 pp"  # no Babel overflow


def test_excel_formats():
    assert excel_number_format("money", "EUR", "en") == '"€"#,##0.00;-"€"#,##0.00'
    # the currency's own decimals, as the PDFs print it: none for yen, three for dinar
    assert excel_number_format("money", "JPY", "en") == '"¥"#,##0;-"¥"#,##0'
    assert excel_number_format("money", "KWD", "fi") == '#,##0.000 "KWD";-#,##0.000 "KWD"'
    assert excel_number_format("percent", "EUR", "en") == '#,##0.0"%"'
    assert excel_number_format("ratio", "EUR") == '0.00"×"'
    assert excel_number_format("count", "EUR") == "#,##0"


@pytest.mark.parametrize("unit", ["money", "percent", "ratio", "count"])
def test_huge_and_infinite_values_never_crash(unit):
    # annualising a large monthly ROI easily reaches 1e30 %, past Babel's decimal range
    assert format_value(8e30, unit, "EUR", "fi").startswith("8,0E30")
    assert format_change(-8e30, unit, "EUR").startswith("−8.0E30")
    assert format_value(math.inf, unit, "EUR") == "–"
    assert format_change(math.inf, unit, "EUR") == "–"


@pytest.mark.parametrize(
    ("value", "unit", "en", "fi"),
    [
        # halves round away from zero, as Excel shows the same cell
        (31.25, "percent", "31.3%", "31,3\xa0%"),
        (-31.25, "percent", "-31.3%", "-31,3\xa0%"),
        (12.5, "count", "13", "13"),
        (-12.5, "count", "-13", "-13"),
        (2.125, "ratio", "2.13×", "2,13×"),
        (0.125, "money", "€0.13", "0,13\xa0€"),
        (1.005, "money", "€1.01", "1,01\xa0€"),  # the typed 1.005, not the binary 1.00499…
        (31.24, "percent", "31.2%", "31,2\xa0%"),  # below the half still rounds down
    ],
)
def test_format_value_rounds_half_away_from_zero_like_excel(value, unit, en, fi):
    assert format_value(value, unit, "EUR", "en") == en
    assert format_value(value, unit, "EUR", "fi") == fi


def test_money_rounds_to_the_currency_digits():
    assert format_value(1050.5, "money", "JPY", "en") == "¥1,051"
    assert format_value(0.5, "money", "IRR", "fa").endswith("۱")
