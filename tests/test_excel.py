"""The Excel summary workbook, read back with openpyxl (and LibreOffice in the slow test)."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from roi_reports.config import Config, ReportConfig
from roi_reports.errors import RoiReportsError
from roi_reports.metrics import METRICS
from roi_reports.periods import parse_period
from roi_reports.pipeline import load_dataset
from roi_reports.reports.excel import SHEET_NAMES, write_workbook
from roi_reports.reports.model import ReportModel, Scope, build_report_model
from tests.helpers import RESULTS_HEADER, make_dataset, run_cli
from tests.helpers import write_workbook as write_input

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"
SNAPSHOT = Path(__file__).parent / "snapshots" / "excel_summary.json"
INJECTION = '=HYPERLINK("http://x")'


def sample_model(config: Config | None = None, scope: Scope | None = None) -> ReportModel:
    config = config or Config()
    scope = scope or Scope()
    dataset = load_dataset([SAMPLE], config)
    period = parse_period("2026-10")
    return build_report_model(dataset, config, period, scope, inputs=[SAMPLE])


@pytest.fixture(scope="module")
def model() -> ReportModel:
    return sample_model()


@pytest.fixture(scope="module")
def book_path(model, tmp_path_factory) -> Path:
    return write_workbook(model, tmp_path_factory.mktemp("excel") / "roi-summary-2026-10.xlsx")


@pytest.fixture(scope="module")
def book(book_path):
    return load_workbook(book_path)


def header_index(sheet: Worksheet, row: int = 1) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[row] if cell.value is not None}


def assert_same_number(cell_value: object, engine_value: float) -> None:
    """xlsxwriter stores 16 significant digits: equal to the engine's float to ~1 ulp."""
    if math.isnan(engine_value):
        assert cell_value is None
    else:
        assert isinstance(cell_value, int | float), cell_value
        assert cell_value == pytest.approx(engine_value, rel=1e-15, abs=1e-12)


def test_sheets_in_order(book):
    assert tuple(book.sheetnames) == SHEET_NAMES


def test_by_channel_cells_are_the_engines_numbers(book, model):
    sheet = book["By channel"]
    columns = header_index(sheet)
    table = model.by_channel.sort_values("channel", na_position="last").reset_index(drop=True)
    for offset, record in table.iterrows():
        row = int(offset) + 2  # type: ignore[call-overload]
        expected_name = record["channel"] if pd.notna(record["channel"]) else "(unassigned)"
        assert sheet.cell(row, 1).value == expected_name
        for name, metric in METRICS.items():
            if name.startswith("annualized_roi"):  # a month: shown as "–" (test_annualised)
                assert sheet.cell(row, columns[metric.label]).value == "–"
                continue
            assert_same_number(sheet.cell(row, columns[metric.label]).value, record[name])
        prev = sheet.cell(row, columns["ROI % 2026-09"]).value
        assert_same_number(prev, record["roi_pct_prev"])


def test_totals_row_is_a_ratio_of_sums(book, model):
    sheet = book["By channel"]
    columns = header_index(sheet)
    total_row = len(model.by_channel) + 2
    assert sheet.cell(total_row, 1).value == "Total"
    roi = sheet.cell(total_row, columns["ROI %"]).value
    assert_same_number(roi, model.kpi("roi_pct"))
    assert_same_number(sheet.cell(total_row, columns["Cost"]).value, model.kpi("cost"))
    assert roi != pytest.approx(model.by_channel["roi_pct"].sum())
    assert roi == pytest.approx(model.kpi("net_profit") / model.kpi("investment") * 100)


def test_number_formats_follow_the_unit(book):
    sheet = book["By channel"]
    columns = header_index(sheet)
    formats = {label: sheet.cell(2, columns[label]).number_format for label in columns}
    assert '"€"#,##0.00' in formats["Cost"]
    assert formats["ROI %"] == '#,##0.0"%"'
    assert formats["ROAS"] == '0.00"×"'
    assert formats["Conversions"] == "#,##0"
    assert formats["Revenue change %"].startswith("\\+#,##0.0")
    assert sheet.cell(2, columns["Channel"]).data_type == "s"


def test_finnish_number_formats(model, tmp_path):
    path = write_workbook(model, tmp_path / "fi.xlsx", language="fi")
    sheet = load_workbook(path)["Kanavittain"]  # the Finnish name of By channel
    assert sheet["D2"].number_format.startswith('#,##0.00 "€"')
    assert sheet["H2"].number_format == '#,##0.0" %"'


def test_undefined_values_are_empty_cells_with_a_format(tmp_path):
    dataset = make_dataset(
        results=[{"channel": "Fair", "contacts": 0, "conversions": 0, "revenue": 0.0}],
        costs=[{"channel": "Fair", "amount": 100.0}],
    )
    config = Config()
    report = build_report_model(dataset, config, parse_period("2026-10"))
    sheet = load_workbook(write_workbook(report, tmp_path / "x.xlsx"))["By channel"]
    columns = header_index(sheet)
    cpa = sheet.cell(2, columns["Cost per acquisition"])
    assert cpa.value is None and cpa.number_format.startswith('"€"')
    assert sheet.cell(2, columns["Cost"]).value == 100


def test_astronomical_roi_is_written_as_is_and_its_annualised_figure_withheld(tmp_path):
    """ROI 99 900 % in a month would annualise to ~1e36 %: the ROI is a number however big,
    and a month's annualised ROI is "–" (compounding a month is no result to show)."""
    dataset = make_dataset(
        results=[{"channel": "Fair", "contacts": 10, "conversions": 1, "revenue": 100_000.0}],
        costs=[{"channel": "Fair", "amount": 100.0}],
    )
    report = build_report_model(dataset, Config(), parse_period("2026-10"))
    assert float(report.by_channel["annualized_roi_pct"][0]) > 1e30
    sheet = load_workbook(write_workbook(report, tmp_path / "big.xlsx"))["By channel"]
    columns = header_index(sheet)
    assert_same_number(sheet.cell(2, columns["ROI %"]).value, 99_900.0)
    assert sheet.cell(2, columns["Annualised ROI %"]).value == "–"


def test_layout_freeze_filter_print(book, model):
    sheet = book["By channel"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.auto_filter.ref.endswith(str(len(model.by_channel) + 1))
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 page wide is the default, omitted
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.column_dimensions["A"].width >= len("Networking events")
    for name in SHEET_NAMES[1:]:
        assert book[name].freeze_panes is not None, name


def test_roi_is_coloured_against_the_hurdle_and_revenue_has_a_data_bar(tmp_path):
    config = Config(report=ReportConfig(hurdle_roi_pct=150))
    sheet = load_workbook(write_workbook(sample_model(config), tmp_path / "h.xlsx"))["By channel"]
    rules = [
        (str(ranges.sqref), rule)
        for ranges in sheet.conditional_formatting
        for rule in ranges.rules
    ]
    roi_formulas = [r.formula[0] for _, r in rules if r.type == "expression"]
    assert "AND(ISNUMBER($H2),$H2>=150)" in roi_formulas
    assert "AND(ISNUMBER($H2),$H2<150)" in roi_formulas
    assert any(r.type == "dataBar" and ref.startswith("F2:") for ref, r in rules)


def test_native_charts_on_the_summary(book_path):
    with zipfile.ZipFile(book_path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        xml = "".join(archive.read(n).decode() for n in charts)
    assert len(charts) == 2
    assert "<c:barChart>" in xml and '<c:barDir val="bar"/>' in xml
    assert "'By channel'!$H$2:$H$6" in xml  # ROI % of the five named channels
    assert "Revenue vs cost by month" in xml


def test_formula_text_from_inputs_stays_text(tmp_path):
    dataset = make_dataset(
        results=[
            {
                "channel": "@SUM(A1)",
                "employee": INJECTION,
                "campaign": "-1+2",
                "contacts": 10,
                "conversions": 2,
                "revenue": 500.0,
            }
        ],
        costs=[{"channel": "@SUM(A1)", "employee": INJECTION, "amount": 100.0}],
    )
    report = build_report_model(dataset, Config(), parse_period("2026-10"))
    path = write_workbook(report, tmp_path / "inject.xlsx")
    book = load_workbook(path)
    for sheet_name, text in (
        ("By employee", INJECTION),
        ("By channel", "@SUM(A1)"),
        ("By campaign", "-1+2"),
    ):
        cell = book[sheet_name]["A2"]
        assert cell.value == text and cell.data_type == "s", sheet_name
        assert cell.quotePrefix, sheet_name
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        sheets_xml = "".join(archive.read(n).decode() for n in names if "worksheets/" in n)
    assert "<f>" not in sheets_xml and "<f " not in sheets_xml
    assert not any("externalLink" in n or "vbaProject" in n for n in names)
    assert "hyperlink" not in sheets_xml.lower().replace(
        INJECTION.lower().replace('"', "&quot;"), ""
    )


def test_data_quality_lists_warnings_notes_and_inputs(tmp_path):
    source = write_input(
        tmp_path / "team.xlsx",
        {
            "results": [
                RESULTS_HEADER,
                ["2026-10-03", "Fair", "Expo", "Aino", 5, 9, 900, None, "EUR"],
            ],
            "costs": [["date", "channel", "amount"], ["2026-10-03", "Fair", 300]],
        },
    )
    dataset = load_dataset([source], Config())
    assert dataset.report.warnings, "the row with more conversions than contacts warns"
    report = build_report_model(dataset, Config(), parse_period("2026-10"), inputs=[source])
    sheet = load_workbook(write_workbook(report, tmp_path / "q.xlsx"))["Data quality"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Severity", "File", "Sheet", "Row"]
    warning = report.warnings[0]
    assert rows[1][:5] == ["warning", "team.xlsx", warning.sheet, warning.row, warning.column]
    assert rows[1][6] == warning.rule
    flat = [v for row in rows for v in row if v is not None]
    assert report.inputs[0].sha256 in flat
    assert source.stat().st_size in flat
    assert "Notes" in flat and "Inputs" in flat


def test_definitions_come_from_the_metric_registry(book):
    rows = {row[1]: row for row in book["Definitions"].iter_rows(min_row=2, values_only=True)}
    for name, metric in METRICS.items():
        assert rows[name][0] == metric.label
        assert rows[name][3] == metric.formula
        assert rows[name][4] == metric.null_rule
    assert rows["cost"][2] == "money (EUR)"


def test_targets_sheet(book, model):
    sheet = book["Targets"]
    rows = list(sheet.iter_rows(min_row=2, max_row=len(model.targets) + 1, values_only=True))
    for row, target in zip(rows, model.targets.to_dict("records"), strict=True):
        assert row[2] == METRICS[target["metric"]].label
        assert row[3] == target["target"]
        assert_same_number(row[4], target["actual"])
        assert_same_number(row[5], target["attainment_pct"])
        assert row[6] == target["status"]
    assert sheet["D3"].number_format.startswith('"€"')  # a revenue target is money


def test_targets_sheet_speaks_the_workbooks_language(model, tmp_path):
    """Level and status in Finnish, as the PDF prints them, and still coloured."""
    path = write_workbook(model, tmp_path / "fi.xlsx", language="fi")
    sheet = load_workbook(path)["Tavoitteet"]  # the Finnish name of Targets
    rows = list(sheet.iter_rows(min_row=2, max_row=len(model.targets) + 1, values_only=True))
    levels = {"total": "yhteensä", "channel": "kanava", "employee": "työntekijä"}
    levels["campaign"] = "kampanja"
    statuses = {"met": "saavutettu", "behind": "jäljessä", "no data": "ei tietoja"}
    assert {"met", "behind"} <= set(model.targets["status"])
    for row, target in zip(rows, model.targets.to_dict("records"), strict=True):
        assert row[0] == levels[target["dimension"]]
        assert row[6] == statuses[target["status"]]
    coloured = {
        formula
        for rules in sheet.conditional_formatting
        for rule in rules.rules
        for formula in rule.formula or []
    }
    assert {'"saavutettu"', '"jäljessä"'} <= coloured


def test_scoped_workbook_shows_the_whole_team(tmp_path):
    scoped = sample_model(scope=Scope.parse("employee:Aino Virtanen"))
    sheet = load_workbook(write_workbook(scoped, tmp_path / "aino.xlsx"))["Summary"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "employee:Aino Virtanen" in values and "Whole team" in values


def test_rerun_gives_the_same_file_and_no_temp_files(model, book_path, tmp_path):
    again = write_workbook(model, tmp_path / book_path.name)
    assert again.read_bytes() == book_path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [book_path.name]
    assert load_workbook(again).properties.created == datetime(2026, 10, 31)  # period's end


def test_failed_write_leaves_nothing_behind(model, tmp_path):
    target = tmp_path / "taken.xlsx"
    target.mkdir()  # a folder where the workbook should go: the final rename fails
    with pytest.raises(RoiReportsError, match="cannot write the workbook"):
        write_workbook(model, target)
    assert [p.name for p in tmp_path.iterdir()] == ["taken.xlsx"]


def summary_values(sheet: Worksheet) -> list[list[object]]:
    """Summary cells as JSON-friendly values; floats to 12 significant digits."""
    rows = []
    for row in sheet.iter_rows(values_only=True):
        values = [
            float(f"{v:.12g}")
            if isinstance(v, float)
            else v.isoformat()
            if isinstance(v, datetime)
            else v
            for v in row
        ]
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    return rows


def test_summary_snapshot(book):
    """The Summary sheet's values; refresh with ROI_UPDATE_SNAPSHOTS=1 after a reviewed change."""
    actual = summary_values(book["Summary"])
    if os.environ.get("ROI_UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        lines = ",\n".join(json.dumps(row, ensure_ascii=False) for row in actual)
        SNAPSHOT.write_text(f"[\n{lines}\n]\n", "utf-8")
    assert actual == json.loads(SNAPSHOT.read_text("utf-8"))


def test_cli_writes_the_default_file_name(tmp_path):
    result = run_cli("excel", "--period", "2026-10", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "roi-summary-2026-10.xlsx"
    assert load_workbook(tmp_path / "roi-summary-2026-10.xlsx").sheetnames == list(SHEET_NAMES)
    result = run_cli("excel", "--period", "2026-Q3", "-o", "out/q3.xlsx", str(SAMPLE))
    assert result.exit_code == 0 and (tmp_path / "out" / "q3.xlsx").is_file()


@pytest.mark.slow
def test_libreoffice_opens_the_workbook(book_path, model, tmp_path):
    """A second spreadsheet program reads every sheet and the same numbers."""
    filter_options = "44,34,76,1,,0,false,true,false,false,false,-1"  # UTF-8, every sheet
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):{filter_options}",
            "--outdir",
            str(tmp_path),
            str(book_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    stem = book_path.stem
    for name in SHEET_NAMES:
        assert (tmp_path / f"{stem}-{name}.csv").is_file(), name
    with (tmp_path / f"{stem}-By channel.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = rows[len(model.by_channel)]
    assert total["Channel"] == "Total"
    assert float(total["ROI %"]) == pytest.approx(model.kpi("roi_pct"), rel=1e-12)
    assert float(rows[0]["Revenue"]) == pytest.approx(model.by_channel["revenue"][0], rel=1e-12)
