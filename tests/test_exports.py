"""Real export layouts (tests/fixtures/exports, origins in its README): read with no
config at all, each expected figure summed by hand from the fixture's rows."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from roi_reports.ingest.export_period import (
    AllTime,
    containing_period,
    describe,
    stated_range,
)
from roi_reports.ingest.formats import csv_rows
from tests.helpers import run_cli

EXPORTS = Path(__file__).parent / "fixtures" / "exports"


def metrics(*args: str) -> list[dict]:
    result = run_cli("metrics", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def total(path: str, *args: str) -> dict:
    (record,) = metrics(*args, str(EXPORTS / path))
    return record


# file → (cost, revenue, conversions, contacts); None where the file has no such figure
NO_CONFIG = {
    # rows 4–6; the two "Total:" rows are left out
    "google_ads_campaign_utf8.csv": (421.40 + 733.60 + 49.92, 3420 + 1875, 38 + 12.5, 1955),
    "google_ads_campaign_utf16.csv": (1048.75 + 150.25, 2940 + 420, 21 + 3.5, 312 + 88),
    # the Awareness row's empty Results/Purchases cells are 0
    "meta_ads_manager.csv": (309.60 + 120.40 + 70, 1960 + 534.50, 14 + 6, 845 + 212 + 198),
    "linkedin_campaign_performance.csv": (2450 + 610.50, 5700 + 1200, 19 + 4, 402 + 133),
    "microsoft_ads_campaign.csv": (159.08 + 162.14, 1530 + 270, 17 + 3, 388 + 121),
    "tiktok_ads_campaign.xlsx": (84.2 + 91.8, 395 + 512.5, 7 + 9, 210 + 244),
    "ga4_traffic_acquisition.csv": (0, 4480.5 + 3075 + 960, 64 + 41 + 12 + 9, None),
    # won deals only: Kone 12000, Pohjola 4500.50, Vaasa 2300
    "salesforce_opportunities.csv": (0, 12000 + 4500.50 + 2300, 3, None),
    "hubspot_deals.csv": (0, 9600 + 5250.5, 2, None),
    # paid orders #1001 and #1002 (two line items, one order); refunded and pending out
    "shopify_orders.csv": (0, 89 + 118, 2, None),
    # won deals 311 and 313; the lost and the open deal out
    "pipedrive_deals.csv": (0, 12000 + 4800.5, 2, None),
    # Completed #2041, #2045 and Processing #2042; refunded and cancelled out
    "woocommerce_orders.csv": (0, 150 + 64.90 + 89.50, 3, None),
    "deutsch_team.ods": (4800 + 1250, 13500 + 5200 + 2900, 9 + 4 + 2, 120 + 80 + 45),
    "finnish_costs_excel.csv": (1250 + 480.50 + 312.40, 0, 0, 0),
}


@pytest.mark.parametrize("name", sorted(NO_CONFIG))
def test_exports_give_exact_figures_with_no_config(name):
    cost, revenue, conversions, contacts = NO_CONFIG[name]
    record = total(name)
    assert record["cost"] == pytest.approx(cost, abs=1e-9)
    assert record["revenue"] == pytest.approx(revenue, abs=1e-9)
    assert record["conversions"] == pytest.approx(conversions, abs=1e-9)
    if contacts is not None:
        assert record["contacts"] == contacts


def test_utf16_tab_export_with_title_lines_and_no_quotes():
    raw = (EXPORTS / "google_ads_campaign_utf16.csv").read_bytes()
    assert raw.startswith(b"\xff\xfe") and b'"' not in raw.decode("utf-16").encode()
    rows, text = csv_rows(EXPORTS / "google_ads_campaign_utf16.csv")
    assert (text.encoding, text.delimiter) == ("utf-16", "\t")
    assert rows[2][:3] == ["Campaign status", "Campaign", "Campaign type"]
    # 27 January – 23 February 2026 lies within 2026-Q1, the smallest period holding it
    (record,) = metrics("--by", "quarter", str(EXPORTS / "google_ads_campaign_utf16.csv"))
    assert record["quarter"] == "2026-Q1"
    assert record["cost"] == pytest.approx(1199.0)
    assert record["contacts"] == 400


def test_delimiter_sniffed_from_the_header_line_not_the_first_line():
    # the date-range line has one comma, the table has fourteen per row
    rows, text = csv_rows(EXPORTS / "google_ads_campaign_utf8.csv")
    assert text.delimiter == ","
    assert rows[2][0] == "Campaign status" and len(rows[2]) == 15


def test_input_delimiter_and_encoding_override_detection(tmp_path):
    config = tmp_path / "roi-reports.toml"
    config.write_text('[input]\ndelimiter = ";"\nencoding = "cp1252"\n', encoding="utf-8")
    record = total("finnish_costs_excel.csv", "--config", str(config))
    assert record["cost"] == pytest.approx(2042.90)
    config.write_text('[input]\nencoding = "utf-8"\n', encoding="utf-8")
    result = run_cli("validate", "--config", str(config), str(EXPORTS / "finnish_costs_excel.csv"))
    assert result.exit_code == 1
    assert "[input] encoding" in result.output


def test_empty_meta_export_is_valid_with_zero_rows_and_a_note():
    result = run_cli("validate", str(EXPORTS / "meta_ads_empty.csv"))
    assert result.exit_code == 0, result.output
    assert "no data rows (zero rows read)" in result.output
    assert "0 result and cost rows" in result.output


def test_no_data_available_footer_is_an_empty_export(tmp_path):
    export = tmp_path / "meta.csv"
    header = (EXPORTS / "meta_ads_empty.csv").read_text(encoding="utf-8")
    export.write_text(header + "\nNo data available.\n", encoding="utf-8")
    result = run_cli("validate", str(export))
    assert result.exit_code == 0, result.output
    assert "footer lines left out: No data available." in result.output


def test_salesforce_report_footer_left_out_and_listed():
    result = run_cli("validate", str(EXPORTS / "salesforce_opportunities.csv"))
    assert result.exit_code == 0, result.output
    assert (
        "footer lines left out: Grand Totals (5 records) | Confidential Information - Do Not "
        "Distribute | Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."
    ) in result.output
    assert "2 record(s) not won or not paid left out" in result.output
    by_owner = {
        r["employee"]: r
        for r in metrics("--by", "employee", str(EXPORTS / "salesforce_opportunities.csv"))
    }
    assert by_owner["Aino Virtanen"]["conversions"] == 2
    assert by_owner["Aino Virtanen"]["revenue"] == pytest.approx(12000 + 2300)
    assert by_owner["Mikko Laine"]["revenue"] == pytest.approx(4500.50)
    channels = {
        r["channel"]
        for r in metrics("--by", "channel", str(EXPORTS / "salesforce_opportunities.csv"))
    }
    # the won deal without a lead source is counted under the platform's name
    assert channels == {"Trade Show", "Web", "Salesforce"}


def test_shopify_order_with_two_line_items_is_one_order():
    lines = (EXPORTS / "shopify_orders.csv").read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("#1002,") for line in lines) == 2
    record = total("shopify_orders.csv")
    assert record["conversions"] == 2
    assert record["revenue"] == pytest.approx(89 + 118)
    (shop,) = metrics("--by", "channel", str(EXPORTS / "shopify_orders.csv"))
    assert shop["channel"] == "Shopify"


def test_crm_and_shop_records_take_owner_and_source():
    deals = metrics("--by", "employee,channel", str(EXPORTS / "pipedrive_deals.csv"))
    assert [(d["employee"], d["channel"], d["revenue"]) for d in deals] == [
        ("Aino Virtanen", "Pipedrive", 4800.5),  # no Source channel: the platform's name
        ("Mikko Laine", "Web forms", 12000.0),
    ]
    assert all(d["contacts"] is None and d["conversion_rate_pct"] is None for d in deals)
    orders = metrics("--by", "channel", str(EXPORTS / "woocommerce_orders.csv"))
    assert {o["channel"]: (o["conversions"], o["revenue"]) for o in orders} == {
        "Direct": (1, 64.90),
        "Source: Google": (2, 150 + 89.50),
    }


def test_german_workbook_with_summe_rows():
    result = run_cli("validate", str(EXPORTS / "deutsch_team.ods"))
    assert result.exit_code == 0, result.output
    assert result.output.count("totals row skipped") == 2
    by_channel = {
        r["channel"]: r for r in metrics("--by", "channel", str(EXPORTS / "deutsch_team.ods"))
    }
    assert by_channel["Messe"]["revenue"] == pytest.approx(13500 + 2900)
    assert by_channel["Messe"]["cost"] == pytest.approx(4800)
    assert by_channel["Messe"]["contacts"] == 165
    assert by_channel["LinkedIn"]["conversions"] == 4


@pytest.mark.parametrize(
    ("word", "header"),
    [
        ("Totalt", "Datum;Kanal;Kontakter;Konverteringar;Intäkter"),
        ("Total général", "Date;Canal;Contacts;Ventes;Revenus"),
        ("Total general", "Fecha;Canal;Contactos;Conversiones;Ingresos"),
        ("Totaal", "Datum;Kanaal;Contacts;Conversions;Revenue"),
        ("Gesamt", "Datum;Kanal;Kontakte;Abschlüsse;Umsatz"),
    ],
)
def test_totals_words_and_headers_in_other_languages(tmp_path, word, header):
    sheet = tmp_path / "team.csv"
    sheet.write_text(
        f"{header}\n2026-10-01;Web;10;2;300\n2026-10-02;Web;5;1;200\n{word};;15;3;500\n",
        encoding="utf-8",
    )
    if word == "Totaal":  # Dutch: only the totals word is known, so map the channel
        config = tmp_path / "roi-reports.toml"
        config.write_text('[columns]\n"Kanaal" = "channel"\n', encoding="utf-8")
        record = total(str(sheet), "--config", str(config))
    else:
        record = total(str(sheet))
    assert (record["contacts"], record["conversions"], record["revenue"]) == (15, 3, 500)


# ---- the export's own period --------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "start", "end"),
    [
        (["Campaign report", "July 8, 2025 - July 31, 2025"], (2025, 7, 8), (2025, 7, 31)),
        (["Campaign report", "27 January 2026 - 23 February 2026"], (2026, 1, 27), (2026, 2, 23)),
        (["# Start date: 20241001", "# End date: 20241031"], (2024, 10, 1), (2024, 10, 31)),
        (['"Report Time: 7/1/2025,7/31/2025"'], (2025, 7, 1), (2025, 7, 31)),
        (["Report Time: 2/7/2020"], (2020, 2, 7), (2020, 2, 7)),
        (
            ["Report Start: 7/1/2025, 12:00 AM", "Report End: 9/30/2025, 11:59 PM"],
            (2025, 7, 1),
            (2025, 9, 30),
        ),
    ],
)
def test_date_range_forms(lines, start, end):
    found = stated_range(lines)
    assert (found.start, found.end) == (dt.date(*start), dt.date(*end))


def test_range_maps_onto_the_smallest_containing_period():
    july = containing_period(dt.date(2025, 7, 8), dt.date(2025, 7, 31))
    assert (july.label, july.partial) == ("2025-07", True)
    assert describe(dt.date(2025, 7, 8), dt.date(2025, 7, 31), july) == (
        "8–31 July 2025 reported as 2025-07 (partial month)"
    )
    quarter = containing_period(dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert (quarter.label, quarter.partial) == ("2025-Q3", False)
    assert containing_period(dt.date(2025, 2, 1), dt.date(2025, 11, 30)).label == "2025"
    # fiscal year from July: Aug–Sep 2025 is the first fiscal quarter of fiscal 2025
    assert containing_period(dt.date(2025, 8, 1), dt.date(2025, 9, 30), 7).label == "2025-Q1"
    with pytest.raises(AllTime):
        stated_range(["Campaign report", "All time"])


def test_export_period_note_and_input_period_wins(tmp_path):
    result = run_cli("validate", str(EXPORTS / "google_ads_campaign_utf8.csv"))
    assert "8–31 July 2025 reported as 2025-07 (partial month)" in result.output
    (july,) = metrics("--by", "month", str(EXPORTS / "google_ads_campaign_utf8.csv"))
    assert july["month"] == "2025-07"
    config = tmp_path / "roi-reports.toml"
    config.write_text('[input]\nperiod = "2025-Q3"\n', encoding="utf-8")
    (q3,) = metrics(
        "--config", str(config), "--by", "quarter", str(EXPORTS / "google_ads_campaign_utf8.csv")
    )
    assert q3["quarter"] == "2025-Q3"


def test_meta_rows_take_their_reporting_range():
    (july,) = metrics("--by", "month", str(EXPORTS / "meta_ads_manager.csv"))
    assert july["month"] == "2025-07"
    assert july["cost"] == pytest.approx(500.0)


def test_all_time_export_asks_for_input_period(tmp_path):
    export = tmp_path / "google.csv"
    text = (EXPORTS / "google_ads_campaign_utf8.csv").read_text(encoding="utf-8")
    export.write_text(text.replace('"July 8, 2025 - July 31, 2025"', "All time"), encoding="utf-8")
    result = run_cli("validate", str(export))
    assert result.exit_code == 1
    assert "no period" in result.output and "[input] period" in result.output
    config = tmp_path / "roi-reports.toml"
    config.write_text('[input]\nperiod = "2025"\n', encoding="utf-8")
    record = total(str(export), "--config", str(config))
    assert record["cost"] == pytest.approx(1204.92)


# ---- currency, blanks, records ---------------------------------------------------------


def test_single_currency_in_the_data_reports_without_setup(tmp_path):
    result = run_cli("validate", str(EXPORTS / "microsoft_ads_campaign.csv"))
    assert result.exit_code == 0, result.output
    assert "reporting currency USD: the only currency in the data" in result.output
    # named in the config, the data's currency needs an exchange rate as before
    config = tmp_path / "roi-reports.toml"
    config.write_text('[report]\ncurrency = "EUR"\n', encoding="utf-8")
    failed = run_cli(
        "validate", "--config", str(config), str(EXPORTS / "microsoft_ads_campaign.csv")
    )
    assert failed.exit_code == 1
    assert "no exchange rate" in failed.output


def test_mixed_currencies_still_need_fx_rates(tmp_path):
    usd = tmp_path / "ms.csv"
    shutil.copy(EXPORTS / "microsoft_ads_campaign.csv", usd)
    result = run_cli("validate", str(usd), str(EXPORTS / "tiktok_ads_campaign.xlsx"))
    assert result.exit_code == 1
    assert "no exchange rate" in result.output and "currency USD" in result.output


def test_blank_metric_in_a_team_sheet_stays_an_error(tmp_path):
    sheet = tmp_path / "team.csv"
    sheet.write_text(
        "date,channel,contacts,conversions,revenue\n2026-10-01,Web,10,,300\n", encoding="utf-8"
    )
    result = run_cli("validate", str(sheet))
    assert result.exit_code == 1
    assert "required value missing" in result.output


def test_team_sheet_can_ask_for_records(tmp_path):
    sheet = tmp_path / "deals.csv"
    sheet.write_text(
        "date,channel,employee,revenue,status,record\n"
        "2026-10-03,Fair,Aino,1000,won,D1\n"
        "2026-10-09,Fair,Aino,500,lost,D2\n"
        "2026-10-12,Web,Mikko,250,won,D3\n",
        encoding="utf-8",
    )
    config = tmp_path / "records.toml"  # not ./roi-reports.toml, read by default
    config.write_text('[input]\nrows = "records"\n', encoding="utf-8")
    record = total(str(sheet), "--config", str(config))
    assert (record["conversions"], record["revenue"]) == (2, 1250)
    counted = run_cli("validate", str(sheet))
    assert counted.exit_code == 1  # without the setting, contacts and conversions are missing


# ---- inspect and the "no data table" message -------------------------------------------


def test_inspect_utf16_google_ads_table():
    result = run_cli("inspect", str(EXPORTS / "google_ads_campaign_utf16.csv"))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "encoding utf-16, delimiter tab" in out
    assert "header row 3, preset google_ads, rows are counts; results 3 rows, costs 3 rows" in out
    assert "preamble: 27 January 2026 - 23 February 2026" in out
    assert "Conv. value      → revenue (google_ads preset)" in out
    assert "Impr.            → ignored (not a column roi-reports reads)" in out
    assert '"Impr." = "ignore"' in out


def test_inspect_ga4_and_salesforce_json():
    result = run_cli(
        "inspect",
        "--format",
        "json",
        str(EXPORTS / "ga4_traffic_acquisition.csv"),
        str(EXPORTS / "salesforce_opportunities.csv"),
    )
    assert result.exit_code == 0, result.output
    ga4, salesforce = json.loads(result.stdout)
    (sheet,) = ga4["sheets"]
    assert (sheet["preset"], sheet["header_row"]) == ("ga4", 11)
    assert "# Start date: 20241001" in sheet["preamble"]
    assert "1–31 October 2024 reported as 2024-10" in sheet["period"]
    assert sheet["rows"] == {"results": 4}
    uses = {c["source"]: c["column"] for c in sheet["columns"]}
    assert uses["Session primary channel group (Default channel group)"] == "channel"
    assert uses["Engagement rate"] is None
    (deals,) = salesforce["sheets"]
    assert deals["rows_are"] == "records" and deals["rows"] == {"results": 3}
    assert deals["footers"] == [
        "Grand Totals (5 records)",
        "Confidential Information - Do Not Distribute",
        "Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved.",
    ]


def test_inspect_says_whose_ignore_it_is(tmp_path):
    """The preset leaves WooCommerce's Customer out; a [columns] "ignore" is the user's,
    even for a header the preset reads (its Date)."""
    config = tmp_path / "roi-reports.toml"
    config.write_text('[input]\nperiod = "2025-10"\n[columns]\n"Date" = "ignore"\n')
    args = ["inspect", "--format", "json", "--config", str(config)]
    result = run_cli(*args, str(EXPORTS / "woocommerce_orders.csv"))
    assert result.exit_code == 0, result.output
    (sheet,) = json.loads(result.stdout)[0]["sheets"]
    why = {c["source"]: c["why"] for c in sheet["columns"]}
    assert why["Customer"] == "the woocommerce preset leaves it out"
    assert why["Date"] == '[columns] says "ignore"'


def test_inspect_german_workbook_json():
    result = run_cli("inspect", "--format", "json", str(EXPORTS / "deutsch_team.ods"))
    (found,) = json.loads(result.stdout)
    sheets = {s["sheet"]: s for s in found["sheets"]}
    assert sheets["Ergebnisse"]["header_row"] == 3
    assert sheets["Ergebnisse"]["preamble"] == ["Vertriebsergebnisse Oktober 2026"]
    assert {c["source"]: c["column"] for c in sheets["Kosten"]["columns"]} == {
        "Datum": "date",
        "Kanal": "channel",
        "Kostenart": "category",
        "Betrag": "amount",
    }
    assert sheets["Kosten"]["rows"] == {"costs": 2}


def test_no_data_table_names_the_closest_header_and_what_it_lacks(tmp_path):
    sheet = tmp_path / "team.csv"
    sheet.write_text("Report\nDate,Channel,Leads,Spend\n2026-10-01,Web,10,50\n", encoding="utf-8")
    result = run_cli("validate", str(sheet))
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "closest header row is row 2 (Date, Channel, Leads, Spend)" in out
    assert "as a results table it lacks conversions, revenue" in out
    assert "roi-reports inspect" in out and "README 'Input sheets'" in out
    assert "SPEC" not in out
