"""Real exports (tests/fixtures/exports/real, origins in the README there): files teams
downloaded, committed as they were (or as a faithful excerpt). Each is read with no
config at all, and every expected figure is computed here from the file itself with the
csv module, never read back from the tool."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers import run_cli

REAL = Path(__file__).parent / "fixtures" / "exports" / "real"


def rows_below(name: str, header_starts: str, encoding: str = "utf-8") -> list[dict[str, str]]:
    """The file's rows as dicts, from the line that starts with `header_starts`."""
    text = (REAL / name).read_bytes().decode(encoding)
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(header_starts))
    return list(csv.DictReader(io.StringIO("".join(lines[start:]), newline="")))


def number(cell: str) -> float:
    return float(cell.replace(",", "")) if cell.strip() not in ("", "--") else 0.0


def metrics(*args: str) -> list[dict]:
    result = run_cli("metrics", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def validate(name: str) -> str:
    result = run_cli("validate", str(REAL / name))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def by_channel(rows: list[dict[str, str]], channel: str, *columns: str) -> dict[str, list[float]]:
    """Per channel, the sum of each column (the way a person would total the file)."""
    sums: dict[str, list[float]] = {}
    for row in rows:
        totals = sums.setdefault(row[channel], [0.0] * len(columns))
        for i, column in enumerate(columns):
            totals[i] += number(row[column])
    return sums


# ---- GA4 -------------------------------------------------------------------------------

GA4_WEEKLY = "ga4_traffic_acquisition_weekly.csv"
GA4_RESAVED = "ga4_traffic_acquisition_excel_resaved.csv"


def test_ga4_weekly_traffic_acquisition_takes_the_range_of_its_comment_block():
    channel = "Session primary channel group (Default Channel Group)"
    rows = rows_below(GA4_WEEKLY, "Session primary channel group")
    expected = by_channel(rows, channel, "Sessions", "Key events", "Total revenue")
    found = {r["channel"]: r for r in metrics("--by", "channel", str(REAL / GA4_WEEKLY))}
    assert found.keys() == expected.keys() == {"Organic Social", "Referral"}
    for name, (sessions, key_events, revenue) in expected.items():
        assert found[name]["contacts"] == sessions
        assert found[name]["conversions"] == key_events
        assert found[name]["revenue"] == pytest.approx(revenue, abs=1e-6)
        assert found[name]["cost"] == 0
    # rows carry only a week number: they take the export's own range, 2025-01-01 to
    # 2025-12-12, which the year 2025 holds
    (year,) = metrics("--by", "year", str(REAL / GA4_WEEKLY))
    assert year["year"] == "2025"
    assert "1 January 2025 – 12 December 2025 reported as 2025 (partial year)" in validate(
        GA4_WEEKLY
    )


def test_ga4_export_saved_again_from_excel_with_notes_below_the_table():
    raw = (REAL / GA4_RESAVED).read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") == 41  # Excel's CRLF, trailing commas
    rows = [
        r
        for r in rows_below(GA4_RESAVED, "Session default channel group")
        if r["Session default channel group"] and r["Users"]  # the notes fill one cell
    ]
    expected = by_channel(
        rows, "Session default channel group", "Sessions", "Conversions", "Total revenue"
    )
    found = {r["channel"]: r for r in metrics("--by", "channel", str(REAL / GA4_RESAVED))}
    # the numbers typed under the table are not channels
    assert found.keys() == expected.keys()
    assert len(found) == 6
    for name, (sessions, conversions, revenue) in expected.items():
        assert (found[name]["contacts"], found[name]["conversions"]) == (sessions, conversions)
        assert found[name]["revenue"] == revenue
    out = validate(GA4_RESAVED)
    assert "read as a ga4 export" in out  # the older `Session default channel group` header
    assert (
        "footer lines left out: Engagement rates compare | 6/25-7/2 | 0.670124481 | "
        "0.526748971 | 0.709459459 | 0.6 | 0 | 0.666666667"
    ) in out
    assert "25 June 2023 – 2 July 2023 reported as 2023 (partial year)" in out


# ---- Shopify ---------------------------------------------------------------------------

SHOPIFY = "shopify_orders_export_usd.csv"
PAID = {"paid", "partially_paid", "partially_refunded"}


def test_shopify_orders_export_counts_each_paid_order_once():
    rows = rows_below(SHOPIFY, "Name,")
    first_lines = {}
    for row in rows:  # an order's own figures are on its first line only
        first_lines.setdefault(row["Name"], row)
    paid = [r for r in first_lines.values() if r["Financial Status"] in PAID]
    assert len(rows) > len(first_lines) > len(paid)  # line items, and a refunded order
    record = metrics(str(REAL / SHOPIFY))[0]
    assert record["conversions"] == len(paid) == 14
    assert record["revenue"] == pytest.approx(sum(number(r["Subtotal"]) for r in paid), abs=1e-9)
    assert record["cost"] == 0
    # order #16092 is paid but has no `Paid at`: its `Created at` dates it (11 May 2026)
    undated = [r for r in paid if not r["Paid at"]]
    assert [r["Name"] for r in undated] == ["#16092"]
    (may,) = metrics("--by", "month", str(REAL / SHOPIFY))
    assert may["month"] == "2026-05"
    out = validate(SHOPIFY)
    assert "1 row(s) with no Paid at took it from Created at" in out
    assert "1 record(s) not won or not paid left out (status refunded)" in out
    assert "reporting currency USD: the only currency in the data" in out


# ---- Google Ads ------------------------------------------------------------------------

GOOGLE_INR = "google_ads_campaign_report_inr.csv"
GOOGLE_GREEK = "google_ads_campaign_report_greek.csv"
GOOGLE_ALL_TIME = "google_ads_campaign_report_all_time.csv"


def campaign_rows(name: str) -> list[dict[str, str]]:
    """A Google Ads campaign report's own rows: below the header, above its totals."""
    rows = rows_below(name, "Campaign status,")
    return [r for r in rows if not r["Campaign status"].startswith("Total:")]


def test_google_ads_report_in_rupees_with_four_totals_rows():
    rows = campaign_rows(GOOGLE_INR)
    assert len(rows) == 2
    result = run_cli("validate", str(REAL / GOOGLE_INR))
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert out.count("totals row skipped") == 4
    assert "8–31 July 2025 reported as 2025-07 (partial month)" in out
    assert "reporting currency INR" in out
    (july,) = metrics("--by", "month", str(REAL / GOOGLE_INR))
    assert july["month"] == "2025-07"
    assert july["cost"] == pytest.approx(sum(number(r["Cost"]) for r in rows), abs=1e-9)


def test_google_ads_report_with_greek_campaign_names_and_dashes():
    rows = campaign_rows(GOOGLE_GREEK)
    found = {r["campaign"]: r for r in metrics("--by", "campaign", str(REAL / GOOGLE_GREEK))}
    assert found.keys() == {r["Campaign"] for r in rows}
    assert "Οδοντικά Εμφυτεύματα Αθήνα" in found
    for row in rows:
        assert found[row["Campaign"]]["cost"] == number(row["Cost"])
        assert found[row["Campaign"]]["contacts"] == number(row["Clicks"])
    # 27 March – 23 April 2026 spans two quarters: the year 2026 holds it
    assert "27 March 2026 – 23 April 2026 reported as 2026 (partial year)" in validate(GOOGLE_GREEK)


def test_google_ads_all_time_report_asks_for_a_period(tmp_path):
    result = run_cli("validate", str(REAL / GOOGLE_ALL_TIME))
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "no period" in out and "the export covers 'All time'" in out
    assert "[input] period" in out
    config = tmp_path / "roi-reports.toml"
    config.write_text('[input]\nperiod = "2025"\n', encoding="utf-8")
    rows = campaign_rows(GOOGLE_ALL_TIME)
    assert len(rows) == 12
    (record,) = metrics("--config", str(config), str(REAL / GOOGLE_ALL_TIME))
    assert record["cost"] == pytest.approx(sum(number(r["Cost"]) for r in rows), abs=1e-6)


# ---- Meta ------------------------------------------------------------------------------

META = "meta_ads_manager_ads_usd.csv"


def test_meta_ads_export_by_ad_with_its_own_reporting_range():
    rows = rows_below(META, '"Reporting starts"')
    assert len(rows) == 36 and {r["Reporting starts"] for r in rows} == {"2026-05-11"}
    (may,) = metrics("--by", "month", str(REAL / META))
    assert may["month"] == "2026-05"
    assert may["cost"] == pytest.approx(
        sum(number(r["Amount spent (USD)"]) for r in rows), abs=1e-9
    )
    assert "reporting currency USD" in validate(META)


def test_meta_results_that_are_not_conversions_count_zero(tmp_path):
    # the three result indicators of the real export above, in a Meta layout that also
    # carries link clicks and a conversion value
    export = tmp_path / "meta.csv"
    export.write_text(
        "Reporting starts,Reporting ends,Campaign name,Results,Result indicator,"
        "Amount spent (USD),Link clicks,Purchases conversion value\n"
        "2026-05-11,2026-05-11,Sales,2,actions:offsite_conversion.fb_pixel_purchase,58.76,"
        "40,310.50\n"
        "2026-05-11,2026-05-11,Boost,103,actions:post_engagement,2.13,9,\n"
        "2026-05-11,2026-05-11,Visits,8,total_profile_visits,2.66,12,\n"
        "2026-05-11,2026-05-11,Leads,5,actions:onsite_conversion.lead_grouped,20.00,30,\n",
        encoding="utf-8",
    )
    by_campaign = {r["campaign"]: r for r in metrics("--by", "campaign", str(export))}
    assert {k: v["conversions"] for k, v in by_campaign.items()} == {
        "Sales": 2,
        "Boost": 0,
        "Visits": 0,
        "Leads": 5,
    }
    assert by_campaign["Boost"]["contacts"] == 9  # the rows still count their clicks
    assert by_campaign["Boost"]["cost"] == pytest.approx(2.13)
    out = " ".join(run_cli("validate", str(export)).output.split())
    assert (
        "2 row(s) whose results are not conversions (actions:post_engagement, "
        "total_profile_visits): 111 results not counted as conversions"
    ) in out


def test_inspect_says_what_a_preset_reads_beside_the_canonical_columns():
    result = run_cli("inspect", "--format", "json", str(REAL / META), str(REAL / SHOPIFY))
    assert result.exit_code == 0, result.output
    meta, shop = (found["sheets"][0] for found in json.loads(result.stdout))
    uses = {c["source"]: c for c in meta["columns"] + shop["columns"]}
    assert uses["Reporting starts"]["why"] == "each row's reporting range (meta_ads preset)"
    assert uses["Result indicator"]["why"] == "which results are conversions (meta_ads preset)"
    assert uses["Created at"]["why"] == "the date where its own cell is blank (shopify preset)"
    assert all(uses[h]["read"] and uses[h]["column"] is None for h in ("Created at",))
    assert uses["Amount spent (USD)"]["why"] == "meta_ads preset"
    assert not uses["Impressions"]["read"]
    # what the preset reads is not offered as "ignore" in the block to paste
    assert '"Result indicator"' not in meta["columns_block"]
    assert '"Impressions" = "ignore"' in meta["columns_block"]
