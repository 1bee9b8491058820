"""Annualised ROI in reports: shown for periods of a year or more, "–" with a note otherwise.

A month's ROI compounded over a year (October's 156 % → 6,470,915 % "a year") is correct by
SPEC §3 and means nothing to a reader, so the workbook shows it only where the period is
at least a year; `roi-reports metrics` keeps both fields for every period. Expected
figures are computed here from the inputs (cost, revenue, days), not read from the tool.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from roi_reports.config import Config
from roi_reports.periods import Period, parse_period
from roi_reports.reports.excel import write_workbook
from roi_reports.reports.model import build_report_model
from tests.helpers import cli_json, make_dataset, run_cli
from tests.helpers import write_workbook as write_input

COMPOUND, SIMPLE = "Annualised ROI %", "Annualised ROI (simple) %"
COLUMNS_NOTE = (
    "– in the annualised ROI columns: annualised ROI is shown only for periods of a year or "
    "more; a shorter period's ROI compounded over a year is a projection, not a result (see "
    "Definitions)."
)
TWO_YEARS = Period(date(2025, 1, 1), date(2026, 12, 31), "year", "2025–2026")


def workbook(tmp_path: Path, period: Period, cost: float, revenue: float, language: str = "en"):
    """One channel's cost in the period's first month and revenue in its last."""
    dataset = make_dataset(
        results=[
            {"date": period.end, "channel": "Fair", "contacts": 10, "conversions": 2}
            | {"revenue": revenue}
        ],
        costs=[{"date": period.start, "channel": "Fair", "amount": cost}],
    )
    model = build_report_model(dataset, Config(), period)
    return load_workbook(write_workbook(model, tmp_path / "book.xlsx", language))


def kpi_row(summary: Worksheet, label: str) -> tuple:
    return next(r for r in summary.iter_rows(values_only=True) if r[0] == label)


def row_after(summary: Worksheet, label: str) -> tuple:
    rows = list(summary.iter_rows(values_only=True))
    return rows[next(i for i, r in enumerate(rows) if r[0] == label) + 1]


def column(sheet: Worksheet, header: str) -> list:
    headers = [c.value for c in sheet[1]]
    at = headers.index(header)
    values = []
    for cells in sheet.iter_rows(min_row=2, values_only=True):
        if cells[0] is None:
            break
        values.append(cells[at])
    return values


def first_text_below_table(sheet: Worksheet) -> str | None:
    rows = list(sheet.iter_rows(values_only=True))
    end = next((i for i, r in enumerate(rows) if i > 0 and r[0] is None), len(rows))
    return next((r[0] for r in rows[end:] if r[0] is not None), None)


def test_a_month_shows_dashes_and_says_what_compounding_would_read(tmp_path):
    book = workbook(tmp_path, parse_period("2026-10"), cost=100.0, revenue=200.0)
    summary = book["Summary"]
    # ROI 100 % over October's 31 days, compounded: (2^(365/31) − 1) × 100
    compounded = (2 ** (365 / 31) - 1) * 100
    assert compounded > 350_000
    assert kpi_row(summary, COMPOUND)[1:5] == ("–", "–", "–", "–")
    assert row_after(summary, COMPOUND)[0] == (
        "Annualised ROI %: – because annualised ROI is shown only for periods of a year or "
        "more. 2026-10 has 31 days; its ROI of 100.0% compounded over a year would read "
        f"{compounded:,.1f}%, which assumes the same return every 31 days for a year."
    )
    for sheet in ("By channel", "By employee", "By campaign", "By month"):
        for header in (COMPOUND, SIMPLE):
            cells = column(book[sheet], header)
            assert cells and set(cells) == {"–"}, (sheet, header)
        assert first_text_below_table(book[sheet]) == COLUMNS_NOTE, sheet
    assert column(book["By channel"], "ROI %") == [100.0, 100.0]  # Fair, Total: still shown
    definitions = [r[0] for r in book["Definitions"].iter_rows(values_only=True)]
    assert (
        "Annualised ROI (both methods) is shown only for periods of a year or more (365 days "
        "or more; in By month, never, as each row is a month); shorter periods show –. "
        "`roi-reports metrics` gives both fields for any period."
    ) in definitions


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fi",
            "Vuositasoinen ROI %: – koska vuositasoinen ROI näytetään vain vähintään vuoden "
            "mittaisille jaksoille. Jaksossa 2026-10 on 31 päivää; sen ROI 100,0\xa0% vuoden yli "
            "korkoa korolle laskettuna olisi {fi}\xa0%, mikä olettaa saman tuoton toistuvan 31 "
            "päivän välein koko vuoden.",
        ),
        (
            "fa",
            "بازگشت سرمایه سالانه ٪: – زیرا بازگشت سرمایه سالانه فقط برای دوره‌های یک‌ساله یا "
            "بلندتر نشان داده می‌شود. دوره ۲۰۲۶-۱۰ ۳۱ روز است؛ بازگشت سرمایه ۱۰۰٫۰٪ آن اگر "
            "به‌صورت مرکب در یک سال محاسبه شود {fa}٪ می‌شود، که فرض می‌کند همین بازده در تمام "
            "سال هر ۳۱ روز یک بار تکرار شود.",
        ),
    ],
)
def test_the_note_speaks_the_workbook_language(tmp_path, language, expected):
    book = workbook(tmp_path, parse_period("2026-10"), 100.0, 200.0, language)
    summary = book.worksheets[0]
    shown = f"{(2 ** (365 / 31) - 1) * 100:,.1f}"  # 350,155.9
    finnish = shown.replace(",", "\xa0").replace(".", ",")
    persian = (
        shown.replace(",", "٬")
        .replace(".", "٫")
        .translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    )
    notes = [r[0] for r in summary.iter_rows(values_only=True) if r[0] and "– " in str(r[0])]
    assert notes == [expected.format(fi=finnish, fa=persian)]


def test_a_quarter_is_shorter_than_a_year_too(tmp_path):
    summary = workbook(tmp_path, parse_period("2026-Q4"), cost=100.0, revenue=110.0)["Summary"]
    compounded = (1.1 ** (365 / 92) - 1) * 100  # ROI 10 % over 92 days
    assert kpi_row(summary, COMPOUND)[1] == "–"
    assert (
        "2026-Q4 has 92 days; its ROI of 10.0% compounded over a year would read "
        in (row_after(summary, COMPOUND)[0])
    )
    assert f"would read {compounded:.1f}%," in row_after(summary, COMPOUND)[0]


def test_the_seed_example_two_years_at_200_percent_reads_73_2_percent_a_year(tmp_path):
    """The Persian seed: 200 % over two years is 73.2 % a year compounded, 100 % simple."""
    book = workbook(tmp_path, TWO_YEARS, cost=100.0, revenue=300.0)
    compounded = (3 ** (365 / 730) - 1) * 100
    assert round(compounded, 1) == 73.2
    assert kpi_row(book["Summary"], COMPOUND)[1] == pytest.approx(compounded, rel=1e-12)
    assert row_after(book["Summary"], COMPOUND)[0] is None  # no note: nothing withheld
    assert column(book["By channel"], COMPOUND) == pytest.approx([compounded] * 2, rel=1e-12)
    assert column(book["By channel"], SIMPLE) == pytest.approx([100.0, 100.0], rel=1e-12)
    assert set(column(book["By month"], COMPOUND)) == {"–"}  # its rows are months


def test_a_year_shows_the_annualised_roi_which_is_the_roi_itself(tmp_path):
    book = workbook(tmp_path, parse_period("2026"), cost=100.0, revenue=300.0)
    assert kpi_row(book["Summary"], COMPOUND)[1] == pytest.approx(200.0, rel=1e-12)
    assert column(book["By channel"], SIMPLE) == pytest.approx([200.0, 200.0], rel=1e-12)
    assert first_text_below_table(book["By channel"]) is None


def test_metrics_keeps_both_fields_for_any_period(tmp_path):
    rows = [
        ["date", "channel", "contacts", "conversions", "revenue"],
        ["2026-10-31", "Fair", 10, 2, 200],
    ]
    path = write_input(
        tmp_path / "in.xlsx",
        {"results": rows, "costs": [["date", "channel", "amount"], ["2026-10-01", "Fair", 100]]},
    )
    (record,) = cli_json("metrics", "--period", "2026-10", str(path))
    assert record["roi_pct"] == pytest.approx(100.0)
    assert record["annualized_roi_pct"] == pytest.approx((2 ** (365 / 31) - 1) * 100)
    assert record["annualized_roi_simple_pct"] == pytest.approx(100 * 365 / 31)
    assert json.dumps(record)  # plain numbers, as SPEC §3 defines them


def test_a_target_on_annualised_roi_keeps_its_target_and_withholds_the_rest(tmp_path):
    """A month's actual, attainment and status of an annualised-ROI target would compound
    the month: they read "–"; the ROI target beside it is judged as ever."""
    path = write_input(
        tmp_path / "in.xlsx",
        {
            "results": [
                ["date", "channel", "contacts", "conversions", "revenue"],
                ["2026-10-31", "Fair", 10, 2, 200],
            ],
            "costs": [["date", "channel", "amount"], ["2026-10-01", "Fair", 100]],
            "targets": [
                ["period", "dimension", "metric", "target"],
                ["2026-10", "total", "annualized_roi_pct", 40],
                ["2026-10", "total", "roi_pct", 80],
            ],
        },
    )
    assert run_cli("excel", "--period", "2026-10", "-o", "book.xlsx", str(path)).exit_code == 0
    book = load_workbook(tmp_path / "book.xlsx")
    targets = {row[2]: row[3:7] for row in book["Targets"].iter_rows(min_row=2, values_only=True)}
    assert targets[COMPOUND] == (40, "–", "–", "–")
    assert targets["ROI %"] == (80, 100.0, 125.0, "met")
    assert kpi_row(book["Summary"], COMPOUND)[1:7] == ("–", "–", "–", "–", 40, "–")
