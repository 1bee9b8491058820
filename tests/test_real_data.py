"""The real public datasets of ../shared/data, read with a column mapping as a user would;
totals are computed independently with pandas in each test."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import run_cli

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data not present")


def metrics(config_text: str, tmp_path: Path, *args: str) -> list[dict]:
    config = tmp_path / "roi-reports.toml"
    config.write_text(config_text, encoding="utf-8")
    result = run_cli("metrics", "--config", str(config), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ad_report_schema_roas_per_platform(tmp_path):
    config = """
[columns]
date_day = "date"
platform = "channel"
campaign_name = "campaign"
clicks = "contacts"
spend = "amount"
conversions_value = "revenue"
"""
    records = metrics(config, tmp_path, "--by", "channel", str(DATA / "ad_report_schema.csv"))
    source = pd.read_csv(DATA / "ad_report_schema.csv")
    sums = source.groupby("platform")[["spend", "conversions_value", "conversions"]].sum()
    assert {r["channel"] for r in records} == set(sums.index)
    for record in records:
        expected = sums.loc[record["channel"]]
        assert record["cost"] == pytest.approx(expected["spend"], rel=1e-12)
        assert record["roas"] == pytest.approx(
            expected["conversions_value"] / expected["spend"], rel=1e-12
        )
        assert record["conversions"] == expected["conversions"]


def test_online_advertising_performance_totals(tmp_path):
    # the advertiser's spend is the ad firm's `revenue`; its return is post-click sales
    config = """
[columns]
day = "ignore"
cost = "ignore"
campaign_number = "campaign"
revenue = "amount"
post_click_sales_amount = "revenue"
clicks = "contacts"
post_click_conversions = "conversions"

[input]
channel = "Display"
period = "2020-Q2"
"""
    path = DATA / "online_advertising_performance.csv"
    records = metrics(config, tmp_path, "--by", "campaign", str(path))
    source = pd.read_csv(path)
    sums = source.groupby("campaign_number")[["revenue", "post_click_sales_amount"]].sum()
    assert len(records) == 3
    for record in records:
        expected = sums.loc[record["campaign"]]
        assert record["cost"] == pytest.approx(expected["revenue"], rel=1e-9)
        assert record["revenue"] == pytest.approx(expected["post_click_sales_amount"], rel=1e-9)
    assert sum(r["cost"] for r in records) == pytest.approx(276262.6159, rel=1e-12)


@pytest.mark.parametrize("name", ["kag_conversion.csv", "kag_conversion.xlsx"])
def test_kag_conversion_spend_per_campaign(tmp_path, name):
    # no revenue column: a costs table only; the glossary sheet is not read as data
    config = """
[columns]
xyz_campaign_id = "campaign"
Spent = "amount"

[input]
channel = "Facebook"
period = "2017"
"""
    records = metrics(config, tmp_path, "--by", "campaign", str(DATA / name))
    source = pd.read_csv(DATA / "kag_conversion.csv", encoding="utf-8-sig")
    spent = source.groupby("xyz_campaign_id")["Spent"].sum()
    assert {r["campaign"]: r["cost"] for r in records} == pytest.approx(
        {str(k): v for k, v in spent.items()}, rel=1e-12
    )
    assert sum(spent) == pytest.approx(58705.229958205, rel=1e-12)
