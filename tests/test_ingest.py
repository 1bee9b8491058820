"""Messy real-world inputs: encodings, title rows, foreign headers, text numbers, totals
rows, formulas, ad-platform exports, row rules and limits against hostile files."""

from __future__ import annotations

import csv
import io
import json
import sys
import zipfile
from datetime import datetime

import pytest
from openpyxl import Workbook

from roi_reports.config import Config, InputConfig, parse_config
from roi_reports.ingest.dataset import assemble, read_dataset
from roi_reports.ingest.filechecks import MB, _mentions_formula
from roi_reports.jobs.inbox import ingest
from roi_reports.jobs.workdir import init_workdir
from roi_reports.pipeline import compute_metrics
from roi_reports.store import Store
from tests.helpers import RESULTS_HEADER, run_cli, write_csv, write_workbook

RESULTS = [
    ["date", "channel", "contacts", "conversions", "revenue"],
    ["2026-10-01", "LinkedIn", 10, 2, 300],
    ["2026-10-02", "Fairs", 20, 5, 700],
]


def read(path, config=None):
    return read_dataset([path], config or Config())


def errors(dataset):
    return [(p.row, p.column, p.rule) for p in dataset.report.errors]


def warnings(dataset):
    return [(p.row, p.column, p.rule) for p in dataset.report.warnings]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1252", "|")],
)
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    rows = [
        ["päivä", "kanava", "yhteydet", "konversiot", "tulot"],
        ["31.10.2026", "Messut", "10", "2", "1 050,50 €"],
        ["30.10.2026", "Verkostoituminen", "5", "1", "2 000,00 €"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)  # quotes `1 050,50 €` after ","
    path = tmp_path / "tulokset.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    dataset = read(path)
    assert dataset.report.ok, dataset.report.problems
    assert dataset.results["revenue"].tolist() == [1050.5, 2000.0]
    assert dataset.results["channel"].tolist() == ["Messut", "Verkostoituminen"]


def test_title_rows_blank_columns_and_merged_title(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Raportti"
    sheet["A1"] = "Markkinoinnin tulokset lokakuu 2026"
    sheet.merge_cells("A1:F1")
    sheet["A2"] = "Yritys Oy"
    sheet.append([])
    sheet.append([None, "Päivämäärä", None, "Kanava", "Työntekijä", "Yhteydet", "Konversiot"])
    sheet["H4"] = "Tulot"
    sheet.append([None, datetime(2026, 10, 3, 14, 30), None, "Messut", "Liisa", 12, 3, 900])
    path = tmp_path / "raportti.xlsx"
    workbook.save(path)
    dataset = read(path)
    assert dataset.report.ok, dataset.report.problems
    row = dataset.results.iloc[0]
    assert (row["employee"], row["revenue"], row["row"]) == ("Liisa", 900, 5)
    assert str(row["start"].date()) == "2026-10-03"


def test_persian_headers_digits_and_separators(tmp_path):
    path = write_workbook(
        tmp_path / "fa.xlsx",
        {
            "نتایج": [
                ["تاریخ", "کانال", "کارمند", "تماس", "تبدیل", "درآمد"],
                ["۲۰۲۶-۱۰-۰۵", "لینکدین", "علی", "۵۰", "۱۵", "۱۲۳٬۴۵۶٫۵"],
            ],
            "هزینه‌ها": [["تاریخ", "کانال", "هزینه"], ["2026-10-05", "لینکدین", "۵۰۰"]],
        },
    )
    dataset = read(path)
    assert dataset.report.ok, dataset.report.problems
    assert dataset.results["revenue"].tolist() == [123456.5]
    assert dataset.costs["amount"].tolist() == [500.0]


@pytest.mark.parametrize(
    ("cell", "number"),
    [("1 050,00 €", 1050.0), ("$1,050.00", 1050.0), ("(500)", -500.0), ("12 %", 12.0)],
)
def test_numbers_stored_as_text(tmp_path, cell, number):
    rows = [
        ["date", "channel", "contacts", "conversions", "revenue"],
        ["2026-10-01", "X", 1, 1, cell],
    ]
    dataset = read(write_workbook(tmp_path / "n.xlsx", {"results": rows}))
    assert dataset.results["revenue"].tolist() == [number]


@pytest.mark.parametrize(
    "cell", [46326, "46326", "31.10.2026", "2026-10-31", datetime(2026, 10, 31, 9, 15)]
)
def test_date_spellings(tmp_path, cell):
    rows = [["date", "channel", "contacts", "conversions", "revenue"], [cell, "X", 1, 1, 1]]
    dataset = read(write_workbook(tmp_path / "d.xlsx", {"results": rows}))
    assert dataset.report.ok, dataset.report.problems
    assert str(dataset.results["start"].iloc[0].date()) == "2026-10-31"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # a US export: 10/31 shows month first, so 10/05 is the fifth of October
        (["10/05/2026", "10/31/2026"], ["2026-10-05", "2026-10-31"]),
        # a European one: 31/10 shows day first, so 05/10 is the fifth of October too
        (["05/10/2026", "31/10/2026"], ["2026-10-05", "2026-10-31"]),
    ],
)
def test_slashed_dates_read_the_way_their_column_writes_them(tmp_path, cells, expected):
    rows = [["date", "channel", "contacts", "conversions", "revenue"]]
    rows += [[cell, "X", 1, 1, 1] for cell in cells]
    dataset = read(write_workbook(tmp_path / "d.xlsx", {"results": rows}))
    assert dataset.report.ok, dataset.report.problems
    assert [str(d.date()) for d in dataset.results["start"]] == expected


def test_slashed_dates_that_cannot_be_told_apart_are_an_error(tmp_path):
    rows = [["date", "channel", "contacts", "conversions", "revenue"], ["03/04/2026", "X", 1, 1, 1]]
    dataset = read(write_workbook(tmp_path / "d.xlsx", {"results": rows}))
    assert errors(dataset) == [(2, "date", "not a date")]


@pytest.mark.parametrize("label", ["Total", "Yhteensä", "جمع", "Total: Account"])
def test_totals_row_is_skipped_with_a_warning(tmp_path, label):
    rows = [*RESULTS, [label, None, 30, 7, 1000], [None] * 5, [None] * 5]
    dataset = read(write_workbook(tmp_path / "t.xlsx", {"results": rows}))
    assert dataset.report.ok
    assert dataset.results["revenue"].sum() == 1000
    assert warnings(dataset) == [(4, None, "totals row skipped")]


def test_formula_without_cached_value_is_an_error(tmp_path):
    rows = [*RESULTS, ["2026-10-03", "X", 1, 1, "=E2+E3"]]
    dataset = read(write_workbook(tmp_path / "f.xlsx", {"results": rows}))
    [problem] = [p for p in dataset.report.errors if p.column == "E"]
    assert (problem.sheet, problem.row, problem.column) == ("results", 4, "E")
    assert problem.rule == "formula without a cached value"
    assert "save" in problem.hint


@pytest.mark.parametrize("tag", [b"<f>", b'<f t="shared" si="0"/>', b'<f\tt="array"/>', b"<f/>"])
@pytest.mark.parametrize("start", [MB - 3, MB - 2, MB - 1, MB, 2 * MB + 5])
def test_a_formula_tag_is_found_wherever_the_scan_cuts_the_sheet(tmp_path, tag, start):
    # the scan reads the sheet XML 1 MB at a time: a tag may straddle two reads
    path = tmp_path / "f.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sheet.xml", b"x" * start + tag + b"x" * MB)
        archive.writestr("other.xml", b"<formula>1</formula><filters/><fx>" * MB)
    with zipfile.ZipFile(path) as archive:
        assert _mentions_formula(archive, "sheet.xml")
        assert not _mentions_formula(archive, "other.xml")


GOOGLE_ADS = [
    ["Campaign performance report"],
    ["October 1, 2026 - October 31, 2026"],
    ["Day", "Campaign", "Currency code", "Impr.", "Clicks", "Cost", "Conversions", "Conv. value"],
    ["2026-10-01", "Brand", "EUR", "1,200", "80", "105.50", "4.50", "450.00"],
    ["2026-10-02", "Generic", "EUR", "900", "40", "60.00", "2", "180.00"],
    ["Total: Account", None, None, "2,100", "120", "165.50", "6.50", "630.00"],
]
META_ADS = [
    [
        *("Campaign name", "Reporting starts", "Reporting ends", "Results", "Link clicks"),
        *("Amount spent (EUR)", "Purchase conversion value"),
    ],
    ["Autumn", "2026-10-01", "2026-10-31", 12, 300, 250.0, 900.0],
]
LINKEDIN_ADS = [
    [
        *("Campaign Name", "Start Date (in UTC)", "Total Spent", "Impressions", "Clicks"),
        *("Conversions", "Conversion Value", "Currency"),
    ],
    ["Leads Q4", "2026-10-05", "400.00", 10000, 60, 5, 1500, "EUR"],
]


@pytest.mark.parametrize(
    ("rows", "channel", "cost", "revenue"),
    [
        (GOOGLE_ADS, "Google Ads", 165.5, 630.0),
        (META_ADS, "Meta Ads", 250.0, 900.0),
        (LINKEDIN_ADS, "LinkedIn Ads", 400.0, 1500.0),
    ],
)
def test_presets_map_exports_to_results_and_costs(tmp_path, rows, channel, cost, revenue):
    dataset = read(write_workbook(tmp_path / "export.xlsx", {"Export": rows}))
    assert dataset.report.errors == []
    assert set(dataset.results["channel"]) == {channel} == set(dataset.costs["channel"])
    assert set(dataset.costs["category"]) == {"ad spend"}
    assert dataset.costs["amount"].sum() == pytest.approx(cost)
    assert dataset.results["revenue"].sum() == pytest.approx(revenue)
    assert set(dataset.costs["currency"]) == {"EUR"}


def test_google_ads_fractional_conversions_are_a_warning(tmp_path):
    dataset = read(write_workbook(tmp_path / "g.xlsx", {"Export": GOOGLE_ADS}))
    assert (4, "conversions", "not a whole number") in warnings(dataset)


def test_forced_preset_and_config_channel(tmp_path):
    rows = [["Day", "Campaign", "Cost", "Clicks", "Conversions", "Conversion value"]]
    rows.append(["2026-10-01", "Brand", 10, 5, 1, 50])
    path = write_workbook(tmp_path / "plain.xlsx", {"Export": rows})
    # no marker header: not recognised as an export, so only its costs are read
    assert read(path).results.empty
    config = Config(input=InputConfig(preset="google_ads", channel="Search"))
    dataset = read(path, config)
    assert dataset.report.ok
    assert dataset.results["channel"].tolist() == ["Search"]
    result = run_cli("validate", "--preset", "google_ads", str(path))
    assert result.exit_code == 0, result.output


def test_columns_mapping_beats_aliases_and_ignore(tmp_path):
    config = parse_config(
        {
            "columns": {"Spend": "amount", "Cost": "ignore"},
            "input": {"channel": "Web", "period": "2026-10"},
        }
    )
    rows = [["Cost", "Spend"], [999, 100], [999, 50]]
    dataset = read(write_workbook(tmp_path / "c.xlsx", {"Sheet": rows}), config)
    assert dataset.report.ok, dataset.report.problems
    assert dataset.costs["amount"].tolist() == [100, 50]
    assert set(dataset.costs["channel"]) == {"Web"}


# one test per row rule ---------------------------------------------------------------


def test_rule_required_column(tmp_path):
    rows = [["date", "channel", "contacts", "revenue"], ["2026-10-01", "X", 1, 1]]
    dataset = read(write_workbook(tmp_path / "r.xlsx", {"results": rows}))
    assert errors(dataset) == [(1, "conversions", "required column missing")]


def test_rule_types(tmp_path):
    rows = [*RESULTS, ["someday", "X", "many", 1, "€€"]]
    dataset = read(write_workbook(tmp_path / "r.xlsx", {"results": rows}))
    assert errors(dataset) == [
        (4, "date", "not a date"),
        (4, "contacts", "not a number"),
        (4, "revenue", "not a number"),
    ]


def test_rule_negative_counts_are_errors_and_negative_money_a_warning(tmp_path):
    rows = [*RESULTS, ["2026-10-03", "X", -1, 1, 5]]
    costs = [["date", "channel", "amount"], ["2026-10-01", "X", "(20)"]]
    dataset = read(write_workbook(tmp_path / "r.xlsx", {"results": rows, "costs": costs}))
    assert errors(dataset) == [(4, "contacts", "negative value")]
    assert (2, "amount", "negative amount") in warnings(dataset)  # a credit note


def test_rule_more_conversions_than_contacts_is_a_warning(tmp_path):
    rows = [*RESULTS, ["2026-10-03", "X", 1, 3, 5]]
    dataset = read(write_workbook(tmp_path / "r.xlsx", {"results": rows}))
    assert dataset.report.ok
    assert warnings(dataset) == [(4, "conversions", "more conversions than contacts")]


def test_rule_unknown_period(tmp_path):
    rows = [["period", "channel", "amount"], ["2026-10", "X", 1], ["autumn", "X", 2]]
    dataset = read(write_workbook(tmp_path / "r.xlsx", {"costs": rows}))
    assert errors(dataset) == [(3, "period", "not a period")]


def test_rule_duplicate_rows_are_warnings(tmp_path):
    rows = [["date", "channel", "amount", "note"], *[["2026-10-01", "X", 5, "a"]] * 2]
    rows.append(["2026-10-01", "X", 5, "b"])  # differs in an unmapped cell: not a duplicate
    dataset = read(write_workbook(tmp_path / "r.xlsx", {"costs": rows}))
    assert dataset.report.ok
    assert warnings(dataset) == [(3, None, "duplicate row")]


def test_rule_dates_outside_the_files_period(tmp_path):
    config = Config(input=InputConfig(period="2026-10"))
    rows = [*RESULTS, ["2026-11-01", "X", 1, 1, 5]]
    dataset = read(write_workbook(tmp_path / "r.xlsx", {"results": rows}), config)
    assert errors(dataset) == [(4, "date", "date outside the file's period")]


def test_skip_invalid_rows_keeps_the_valid_ones(tmp_path):
    rows = [*RESULTS, ["2026-10-03", "X", -1, 1, 5], ["2026-10-04", "X", 1, 1, "n/a"]]
    path = write_workbook(tmp_path / "r.xlsx", {"results": rows})
    assert not read(path).report.ok
    dataset = read(path, Config(input=InputConfig(skip_invalid_rows=True)))
    assert dataset.report.ok
    assert dataset.results["row"].tolist() == [2, 3]
    assert {(p.row, p.rule) for p in dataset.report.warnings} == {
        (4, "negative value"),
        (4, "more conversions than contacts"),
        (5, "not a number"),
        (None, "rows skipped"),  # what rows 4 and 5 carried, their own errors left out
    }
    [skipped] = [p for p in dataset.report.warnings if p.rule == "rows skipped"]
    assert skipped.hint.startswith(
        "2 rows skipped, carrying revenue 5.00, 1 contact and 2 conversions "
        "(2 invalid values not counted)"
    )
    result = run_cli("validate", "--skip-invalid-rows", "--format", "json", str(path))
    assert result.exit_code == 0
    assert {p["row"] for p in json.loads(result.stdout)} == {4, 5, None}


def test_validate_lists_every_problem_of_every_file_and_exits_1(tmp_path):
    bad = [*RESULTS, ["2026-10-03", "X", -1, 1, "lots"]]
    first = write_workbook(tmp_path / "a.xlsx", {"results": bad})
    second = tmp_path / "b.csv"
    second.write_text("date;channel;amount\n2026-10-01;X;-5\n", encoding="utf-8")
    result = run_cli("validate", "--format", "csv", str(first), str(second))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "file,sheet,row,column,value,rule,hint,severity"
    assert len(lines) == 5  # 3 errors, 1 warning in a.xlsx; 1 warning (a credit note) in b.csv
    assert "b.csv,b,2,amount,-5,negative amount" in result.stdout


# limits against hostile files ---------------------------------------------------------


def test_file_size_limit(tmp_path):
    path = write_workbook(tmp_path / "big.xlsx", {"results": RESULTS})
    config = Config(input=InputConfig(max_file_mb=0.001))
    [problem] = read(path, config).report.errors
    assert "max_file_mb" in problem.hint


def test_row_limit(tmp_path):
    path = write_workbook(tmp_path / "rows.xlsx", {"results": RESULTS})
    [problem] = read(path, Config(input=InputConfig(max_rows=2))).report.errors
    assert "3 rows" in problem.hint and "max_rows" in problem.hint


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    path = write_workbook(tmp_path / "bomb.xlsx", {"results": RESULTS})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (8 * 1024 * 1024))
    [problem] = read(path).report.errors
    assert "zip bomb" in problem.hint
    [problem] = read(path, Config(input=InputConfig(max_unpacked_mb=1))).report.errors
    assert "max_unpacked_mb" in problem.hint


def test_xlsm_is_read_as_data(tmp_path):
    path = write_workbook(tmp_path / "macro.xlsm", {"results": RESULTS})
    assert read(path).results["revenue"].sum() == 1000


# end to end ---------------------------------------------------------------------------


def test_folder_with_export_finnish_workbook_and_broken_file(tmp_path):
    workdir = init_workdir(tmp_path / "team")
    for sample in workdir.inbox.iterdir():
        sample.unlink()
    write_workbook(workdir.inbox / "google.xlsx", {"Export": GOOGLE_ADS})
    finnish = [
        ["Myynnin seuranta"],
        ["Päivämäärä", "Kanava", "Työntekijä", "Yhteydet", "Konversiot", "Tulot"],
        ["15.10.2026", "Messut", "Liisa", 50, 15, "1 050,00 €"],
    ]
    kulut = [["Pvm", "Kanava", "Työntekijä", "Kulut"], ["15.10.2026", "Messut", "Liisa", "500"]]
    write_workbook(workdir.inbox / "messut.xlsx", {"Tulokset": finnish, "Kulut": kulut})
    broken = [*RESULTS, ["yesterday", None, -1, "x", 5], ["2026-10-05", "X", 1, 1, None]]
    write_workbook(workdir.inbox / "broken.xlsx", {"results": broken})

    summary = ingest(workdir, Config(), datetime(2026, 11, 2, 6, 0))

    assert sorted(a.name for a in summary.accepted) == ["google.xlsx", "messut.xlsx"]
    [quarantined] = summary.quarantined
    table = (workdir.quarantine / quarantined.errors_file).read_text(encoding="utf-8")
    for expected in (
        "broken.xlsx,results,4,date,yesterday,not a date",
        "broken.xlsx,results,4,channel,,required value missing",
        "broken.xlsx,results,4,contacts,-1,negative value",
        "broken.xlsx,results,4,conversions,x,not a number",
        "broken.xlsx,results,5,revenue,,required value missing",
    ):
        assert expected in table
    dataset = assemble(Store(workdir.store).load_all(), Config())
    by_channel = compute_metrics(dataset, Config(), by=("channel",)).set_index("channel")
    assert by_channel.loc["Messut", "roi_pct"] == pytest.approx(110)
    assert by_channel.loc["Google Ads", "cost"] == pytest.approx(165.5)
    assert by_channel.loc["Google Ads", "revenue"] == pytest.approx(630)


def test_export_without_a_date_column_says_so(tmp_path):
    export = write_csv(
        tmp_path / "gads.csv",
        [
            [
                "Campaign",
                "Campaign state",
                "Currency code",
                "Clicks",
                "Impr.",
                "Cost",
                "Conversions",
                "Conv. value",
            ],
            ["Brand", "Enabled", "EUR", 100, 2000, 50.0, 3, 300],
        ],
    )
    result = run_cli("validate", str(export))
    assert result.exit_code == 1
    assert "Google Ads export without a date column" in result.output
    assert "[input] period" in result.output


def test_an_installation_without_pandera_fails_the_command_not_the_file(tmp_path, monkeypatch):
    """The row rules import pandera when they first run: without it the command stops
    with the ImportError, instead of quarantining every file as unreadable."""
    from roi_reports.ingest.dataset import read_file_tables

    row = ["2026-10-05", "LinkedIn", "Autumn push", "Aino Virtanen", 10, 1, 100, 40, "EUR"]
    path = write_csv(tmp_path / "r.csv", [RESULTS_HEADER, row])
    monkeypatch.setitem(sys.modules, "pandera.pandas", None)  # as if not installed
    with pytest.raises(ImportError):
        read_file_tables(path, Config())
    monkeypatch.undo()
    assert not read_file_tables(path, Config()).problems
