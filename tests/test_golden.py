"""The golden cases of SPEC §3, from the Finnish and Persian seed articles."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from roi_reports import compute_metrics, load_dataset
from roi_reports.config import Config, ReportConfig
from roi_reports.metrics import annualize_compound, annualize_simple
from tests.helpers import cli_json, make_dataset, write_workbook

REL = 1e-9


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=REL, abs_tol=1e-12)


@pytest.fixture
def finnish_workbook(tmp_path):
    """Finnish seed: one employee, one month of networking."""
    return write_workbook(
        tmp_path / "verkostoituminen.xlsx",
        {
            "results": [
                ["Period", "Channel", "Employee", "Contacts", "Conversions", "Revenue"],
                ["2026-10", "Networking events", "Aino Virtanen", 50, 15, 1050],
            ],
            "costs": [
                ["Period", "Channel", "Employee", "Category", "Amount"],
                ["2026-10", "Networking events", "Aino Virtanen", "travel", 500],
            ],
        },
    )


def check_finnish(row: dict) -> None:
    assert close(row["cost"], 500)
    assert close(row["revenue"], 1050)
    assert close(row["roas"], 2.1)  # the seed's "210 %": revenue / cost
    assert close(row["roi_pct"], 110)
    assert close(row["conversion_rate_pct"], 30)
    assert close(row["cpa"], 100 / 3)
    assert close(row["avg_ticket"], 70)
    assert row["break_even_conversions"] == 8


def test_finnish_seed_through_api(finnish_workbook):
    table = compute_metrics(
        load_dataset([finnish_workbook], Config()), by="employee", period="2026-10"
    )
    check_finnish(table.iloc[0].to_dict())


def test_finnish_seed_through_cli(finnish_workbook):
    records = cli_json("metrics", "--by", "employee", "--period", "2026-10", str(finnish_workbook))
    assert len(records) == 1
    assert records[0]["employee"] == "Aino Virtanen"
    check_finnish(records[0])


@pytest.fixture
def import_workbook(tmp_path):
    """Persian seed: an import deal — purchase, customs and transport against one sale."""
    return write_workbook(
        tmp_path / "import.xlsx",
        {
            "results": [
                ["Period", "Channel", "Contacts", "Conversions", "Revenue"],
                ["2026-10", "Import", 1, 1, 20_000_000],
            ],
            "costs": [
                ["Period", "Channel", "Category", "Amount"],
                ["2026-10", "Import", "purchase", 10_000_000],
                ["2026-10", "Import", "customs", 500_000],
                ["2026-10", "Import", "transport", 100_000],
            ],
        },
    )


def test_persian_import_all_costs_are_investment(import_workbook):
    row = compute_metrics(load_dataset([import_workbook], Config()), period="2026-10").iloc[0]
    assert close(row["net_profit"], 9_400_000)
    assert close(row["roi_pct"], 9_400_000 / 10_600_000 * 100)  # 88.6792…
    assert round(row["roi_pct"], 4) == 88.6792


def test_persian_import_purchase_only_investment(import_workbook):
    config = Config(report=ReportConfig(investment_categories=("purchase",)))
    row = compute_metrics(load_dataset([import_workbook], config), config, period="2026-10").iloc[0]
    assert close(row["net_profit"], 9_400_000)
    assert close(row["investment"], 10_000_000)
    assert close(row["roi_pct"], 94)


def test_persian_import_through_cli_with_config(import_workbook, tmp_path):
    config = tmp_path / "roi-reports.toml"
    config.write_text('[report]\ninvestment_categories = ["purchase"]\n')
    records = cli_json("metrics", "--config", str(config), str(import_workbook))
    assert close(records[0]["roi_pct"], 94)


def test_persian_influencer_on_gross_profit(tmp_path):
    workbook = write_workbook(
        tmp_path / "influencer.xlsx",
        {
            "results": [
                ["Period", "Channel", "Contacts", "Conversions", "Revenue", "Gross profit"],
                ["2026-10", "Influencers", 400, 25, 12_500_000, 5_000_000],
            ],
            "costs": [["Period", "Channel", "Amount"], ["2026-10", "Influencers", 2_000_000]],
        },
    )
    config = Config(report=ReportConfig(profit_basis="gross_profit"))
    row = compute_metrics(load_dataset([workbook], config), config).iloc[0]
    assert close(row["roi_pct"], 150)
    assert row["break_even_conversions"] == 10
    (tmp_path / "c.toml").write_text('[report]\nprofit_basis = "gross_profit"\n')
    records = cli_json("metrics", "--config", str(tmp_path / "c.toml"), str(workbook))
    assert close(records[0]["roi_pct"], 150)
    assert records[0]["break_even_conversions"] == 10


@pytest.mark.parametrize(
    ("roi", "days", "compound", "simple"),
    [
        (200, 730, 73.20508075688772, 100),
        (130, 91.25, 2698.41, 520),
        (-25, 1277.5, -7.89076, -7.142857142857143),
    ],
)
def test_annualising(roi, days, compound, simple):
    roi_s, days_s = pd.Series([float(roi)]), pd.Series([float(days)])
    got_compound = annualize_compound(roi_s, days_s).iloc[0]
    got_simple = annualize_simple(roi_s, days_s).iloc[0]
    # the spec prints compound values to 6 significant digits
    assert got_compound == pytest.approx(compound, rel=1e-6)
    assert close(got_simple, simple)


def test_annualising_exact_value_for_two_years():
    got = annualize_compound(pd.Series([200.0]), pd.Series([730.0])).iloc[0]
    assert close(got, (math.sqrt(3) - 1) * 100)


def test_annualised_roi_is_null_at_or_below_minus_100():
    got = annualize_compound(pd.Series([-100.0, -150.0]), pd.Series([30.0, 30.0]))
    assert got.isna().all()


def test_annualised_roi_uses_days_of_the_period():
    data = make_dataset(
        results=[{"channel": "A", "contacts": 10, "conversions": 1, "revenue": 300.0}],
        costs=[{"channel": "A", "amount": 100.0}],
    )
    row = compute_metrics(data, period="2026-10").iloc[0]  # 31 days, roi 200 %
    assert close(row["annualized_roi_simple_pct"], 200 * 365 / 31)
    assert close(row["annualized_roi_pct"], (3 ** (365 / 31) - 1) * 100)


def _roi_200_on(day: str):
    """One channel, ROI 200 %, all on `day`: the data span is that day's month."""
    return make_dataset(
        results=[{"date": day, "channel": "A", "contacts": 10, "conversions": 1, "revenue": 300.0}],
        costs=[{"date": day, "channel": "A", "amount": 100.0}],
    )


@pytest.mark.parametrize(
    ("by", "period", "days"),
    [
        ("quarter", None, 92),  # the whole of 2026-Q4, not October where the data ends
        ("year", None, 365),
        ("quarter", "2026", 92),
        ("quarter", "2026-10", 31),  # the bucket is clipped to the asked period
        ("month", None, 31),
        (None, None, 31),  # no time grouping, no period: the months the data covers
        (None, "2026-Q4", 92),
    ],
)
def test_annualised_roi_days_of_time_buckets(by, period, days):
    row = compute_metrics(_roi_200_on("2026-10-15"), by=by, period=period).iloc[0]
    assert close(row["annualized_roi_simple_pct"], 200 * 365 / days)
    assert close(row["annualized_roi_pct"], (3 ** (365 / days) - 1) * 100)


@pytest.mark.parametrize(
    ("by", "label", "days"),
    [
        ("quarter", "2026-Q3", 91),  # fiscal Q3 from March: Sep–Nov 2026
        ("year", "2026", 365),  # Mar 2026 – Feb 2027
    ],
)
def test_annualised_roi_days_of_fiscal_buckets(by, label, days):
    config = Config(report=ReportConfig(fiscal_year_start=3))
    row = compute_metrics(_roi_200_on("2026-10-15"), config, by=by).iloc[0]
    assert row[by] == label
    assert close(row["annualized_roi_simple_pct"], 200 * 365 / days)


def test_annualised_roi_days_of_a_leap_fiscal_year():
    config = Config(report=ReportConfig(fiscal_year_start=3))
    row = compute_metrics(_roi_200_on("2027-06-15"), config, by="year").iloc[0]
    assert row["year"] == "2027"  # Mar 2027 – Feb 2028, 29 February included
    assert close(row["annualized_roi_simple_pct"], 200 * 365 / 366)


def test_aggregation_is_ratio_of_sums():
    data = make_dataset(
        results=[
            {"channel": "A", "contacts": 1, "conversions": 1, "revenue": 300.0},
            {"channel": "B", "contacts": 1, "conversions": 1, "revenue": 900.0},
        ],
        costs=[{"channel": "A", "amount": 100.0}, {"channel": "B", "amount": 900.0}],
    )
    total = compute_metrics(data).iloc[0]
    assert close(total["roas"], 1.2)  # not the mean of 3.0 and 1.0
    by_channel = compute_metrics(data, by="channel").set_index("channel")
    assert close(by_channel.loc["A", "roas"], 3.0)
    assert close(by_channel.loc["B", "roas"], 1.0)


def test_undefined_ratios_are_null_not_zero_or_inf():
    data = make_dataset(
        results=[{"channel": "A", "contacts": 0, "conversions": 0, "revenue": 0.0}],
    )
    row = compute_metrics(data).iloc[0]
    for field in (
        "roi_pct",
        "roas",
        "conversion_rate_pct",
        "cost_per_contact",
        "cpa",
        "avg_ticket",
        "break_even_conversions",
        "annualized_roi_pct",
    ):
        assert pd.isna(row[field]), field
