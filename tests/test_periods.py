from datetime import date

import pandas as pd
import pytest

from roi_reports.errors import UsageError
from roi_reports.periods import month_index, parse_period, previous_period, time_keys


@pytest.mark.parametrize(
    ("text", "start", "end", "days"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 10, 31), 31),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), 92),
        ("2026q1", date(2026, 1, 1), date(2026, 3, 31), 90),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), 365),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), 29),
    ],
)
def test_parse_period(text, start, end, days):
    period = parse_period(text)
    assert (period.start, period.end, period.days) == (start, end, days)


def test_previous_month_is_relative_to_today():
    assert parse_period("previous-month", today=date(2026, 11, 23)).label == "2026-10"
    assert parse_period("previous-month", today=date(2026, 1, 5)).label == "2025-12"


def test_fiscal_year_named_by_its_start():
    year = parse_period("2026", fiscal_year_start=4)
    assert (year.start, year.end) == (date(2026, 4, 1), date(2027, 3, 31))
    q1 = parse_period("2026-Q1", fiscal_year_start=4)
    assert (q1.start, q1.end) == (date(2026, 4, 1), date(2026, 6, 30))
    q4 = parse_period("2026-Q4", fiscal_year_start=4)
    assert (q4.start, q4.end) == (date(2027, 1, 1), date(2027, 3, 31))


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2026-01", "2025-12"),
        ("2026-Q1", "2025-Q4"),
        ("2026", "2025"),
    ],
)
def test_previous_period_has_same_kind(text, previous):
    assert previous_period(parse_period(text)).label == previous


@pytest.mark.parametrize("text", ["2026-13", "Q3-2026", "last month", "", "26-10"])
def test_bad_period_is_a_usage_error(text):
    with pytest.raises(UsageError, match="unknown period"):
        parse_period(text)


def test_time_keys_calendar_and_fiscal():
    dates = pd.Series(pd.to_datetime(["2026-01-15", "2026-04-01", "2026-12-31"]))
    assert list(time_keys(dates, "month")) == ["2026-01", "2026-04", "2026-12"]
    assert list(time_keys(dates, "quarter")) == ["2026-Q1", "2026-Q2", "2026-Q4"]
    assert list(time_keys(dates, "year", fiscal_year_start=4)) == ["2025", "2026", "2026"]
    assert list(time_keys(dates, "quarter", fiscal_year_start=4)) == [
        "2025-Q4",
        "2026-Q1",
        "2026-Q3",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "2026-10",
        "10/2026",
        "10.2026",
        "2026/10",
        "October 2026",
        "Oct. 2026",
        "lokakuu 2026",
        "lokakuuta 2026",
        "loka 2026",
        "اکتبر ۲۰۲۶",
        "۲۰۲۶ اکتبر",
    ],
)
def test_month_cells_in_english_finnish_and_persian(text):
    from roi_reports.ingest.values import _period_of

    assert _period_of(text, 1) == (month_index(2026, 10), "month")


@pytest.mark.parametrize("text", ["Q3 2026", "2026 Q3", "Q3/2026", "2026-Q3"])
def test_quarter_cells(text):
    from roi_reports.ingest.values import _period_of

    assert _period_of(text, 1) == (month_index(2026, 7), "quarter")


@pytest.mark.parametrize("text", ["Foo 2026", "13/2026", "lokakuu", "2026/13"])
def test_not_a_period(text):
    from roi_reports.ingest.values import _period_of

    assert _period_of(text, 1) is None


def test_named_month_periods_feed_the_metrics(tmp_path):
    from roi_reports import Config, compute_metrics, load_dataset
    from tests.helpers import write_workbook

    book = write_workbook(
        tmp_path / "kausi.xlsx",
        {
            "results": [
                ["period", "channel", "contacts", "conversions", "revenue"],
                ["lokakuu 2026", "Messut", 50, 15, 1050],
                ["اکتبر ۲۰۲۶", "LinkedIn", 10, 2, 300],
            ],
            "costs": [["period", "channel", "amount"], ["loka 2026", "Messut", 500]],
        },
    )
    config = Config()
    table = compute_metrics(load_dataset([book], config), config, by=("channel",), period="2026-10")
    fair = table[table["channel"] == "Messut"].iloc[0]
    assert fair["roi_pct"] == pytest.approx(110.0)
    assert table["revenue"].sum() == pytest.approx(1350.0)
