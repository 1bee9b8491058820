"""Signed money and skipped rows: credit notes count (with a warning), skips are summed.

Every expected figure below is summed by hand from the rows written in the test.
"""

from __future__ import annotations

import math

import pytest
from openpyxl import load_workbook

from roi_reports import compute_metrics, load_dataset
from roi_reports.config import Config, ReportConfig
from tests.helpers import run_cli, write_csv, write_workbook


def close(actual: object, expected: float) -> bool:
    return isinstance(actual, float | int) and math.isclose(actual, expected, rel_tol=1e-12)


@pytest.fixture
def credit_note(tmp_path):
    return write_workbook(
        tmp_path / "october.xlsx",
        {
            "results": [
                ["Date", "Channel", "Contacts", "Conversions", "Revenue"],
                ["2026-10-03", "Fairs", 40, 4, 2000],
                ["2026-10-20", "Fairs", 0, 0, -200],  # a refund
                ["2026-10-05", "LinkedIn", 10, 1, "-50,00"],  # refunds above sales
            ],
            "costs": [
                ["Date", "Channel", "Category", "Amount"],
                ["2026-10-01", "Fairs", "booth", 500],
                ["2026-10-02", "Fairs", "travel", 300],
                ["2026-10-15", "Fairs", "booth", "(150.00)"],  # the organiser's credit note
                ["2026-10-12", "LinkedIn", "ads", 100],
                ["2026-10-10", None, "software", 90],  # shared
                ["2026-10-11", None, "refund", -30],  # a shared credit note
            ],
        },
    )


def test_a_credit_note_counts_and_is_listed_as_a_warning_per_row(credit_note):
    result = run_cli("validate", str(credit_note))
    assert result.exit_code == 0, result.output
    dataset = load_dataset([credit_note], Config())
    negative = sorted((p.sheet, p.row, p.column) for p in dataset.report.warnings)
    assert [w for w in negative if w] == [
        ("costs", 4, "amount"),
        ("costs", 7, "amount"),
        ("results", 3, "revenue"),
        ("results", 4, "revenue"),
    ]
    assert {p.rule for p in dataset.report.warnings} == {"negative amount"}
    [total] = compute_metrics(dataset, Config()).to_dict("records")
    assert close(total["cost"], 500 + 300 - 150 + 100 + 90 - 30)
    assert close(total["revenue"], 2000 - 200 - 50)
    assert close(total["roi_pct"], (1750 - 810) / 810 * 100)


def test_shared_costs_skip_a_group_whose_revenue_is_negative(credit_note):
    config = Config(report=ReportConfig(shared_costs="revenue"))
    dataset = load_dataset([credit_note], config)
    table = compute_metrics(dataset, config, by="channel").set_index("channel")
    # LinkedIn's October revenue is −50: it weighs 0, so Fairs takes 90 and −30 whole
    assert close(table.loc["Fairs", "cost"], 500 + 300 - 150 + 90 - 30)
    assert close(table.loc["LinkedIn", "cost"], 100)
    linkedin = table.loc["LinkedIn"]
    assert close(linkedin["revenue"], -50) and close(linkedin["roi_pct"], -150)
    assert close(linkedin["roas"], -0.5) and close(linkedin["avg_ticket"], -50)
    assert math.isnan(linkedin["break_even_conversions"])  # a conversion that loses money


def test_negative_counts_remain_errors(tmp_path):
    path = write_workbook(
        tmp_path / "bad.xlsx",
        {
            "results": [
                ["Date", "Channel", "Contacts", "Conversions", "Revenue"],
                ["2026-10-03", "Fairs", 10, -1, 100],
            ]
        },
    )
    result = run_cli("validate", str(path))
    assert result.exit_code == 1
    assert "negative value" in result.output


GOOGLE_ADS = [
    ["Day", "Campaign", "Currency code", "Clicks", "Impr.", "Conversions", "Conv. value", "Cost"],
    ["2026-10-01", "Search", "EUR", 30, 900, 2, 400, 45.5],
    ["someday", "Search", "EUR", 0, 100, 1, 0, 50],
    ["2026-10-02", "Search", "EUR", 25, 800, 1, 150, 40],
    ["yesterday", "Search", "EUR", 0, 120, 2, 0, 60],
    ["2026-10-03", "Search", "EUR", 20, 700, 0, 0, 30],
    ["soon", "Search", "EUR", 0, 90, 1, 0, 40],
]
SKIPPED = (
    "3 rows skipped, carrying cost 150.00 EUR and 4 conversions; every figure leaves them "
    "out: fix the rows listed and validate again to count them"
)


def test_the_skip_report_says_what_the_skipped_rows_carried(tmp_path):
    path = write_csv(tmp_path / "ads.csv", GOOGLE_ADS)
    result = run_cli("validate", "--skip-invalid-rows", "--format", "json", str(path))
    assert result.exit_code == 0, result.output
    assert SKIPPED in result.stdout
    metrics = run_cli("metrics", "--skip-invalid-rows", "--format", "json", str(path))
    assert metrics.exit_code == 0 and SKIPPED in metrics.stderr
    assert '"cost": 115.5' in metrics.stdout and '"conversions": 3' in metrics.stdout
    config = tmp_path / "roi-reports.toml"
    config.write_text("[input]\nskip_invalid_rows = true\n", encoding="utf-8")
    out = tmp_path / "summary.xlsx"
    excel = run_cli(
        "excel", "--period", "2026-10", "--config", str(config), "-o", str(out), str(path)
    )
    assert excel.exit_code == 0, excel.output
    hints = [row[7] for row in load_workbook(out)["Data quality"].iter_rows(values_only=True)]
    assert SKIPPED in hints


def test_invalid_cells_are_not_summed_but_counted(tmp_path):
    path = write_csv(
        tmp_path / "team.csv",
        [
            ["date", "channel", "contacts", "conversions", "revenue"],
            ["2026-10-01", "Fairs", 10, 2, 500],
            ["2026-10-02", "Fairs", -3, 1, 200],  # the −3 is the error
            ["2026-10-03", "Fairs", 8, "lots", "1 050,00"],
        ],
    )
    result = run_cli("validate", "--skip-invalid-rows", "--format", "csv", str(path))
    assert result.exit_code == 0
    assert (
        "2 rows skipped, carrying revenue 1,250.00, 8 contacts and 1 conversion "
        "(2 invalid values not counted)"
    ) in result.stdout
