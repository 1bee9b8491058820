"""`validate` warns about a name with a character no report font has (an emoji, U+13000),
naming the cell, because `run` would withhold the reports that print it."""

from __future__ import annotations

import csv

from tests.helpers import RESULTS_HEADER, run_cli, write_csv, write_workbook


def test_validate_names_the_cells_no_report_font_can_print(tmp_path):
    rows = [
        ["2026-10-01", "Linked\U00013000In", "Fall \U0001f680", "Aino", 10, 1, 100, "", ""],
        ["2026-10-02", "Linked\U00013000In", "Fall", "Aino", 10, 1, 100, "", ""],
        ["2026-10-03", "LinkedIn", "Fall", "Mia \u200fBerg", 10, 1, 100, "", ""],
        ["2026-10-04", "LinkedIn", "Fall", "نگار محمدی", 10, 1, 100, "", ""],
    ]
    path = write_csv(tmp_path / "names.csv", [RESULTS_HEADER, *rows])
    result = run_cli("validate", "--format", "csv", str(path))
    assert result.exit_code == 0  # a warning: the rows themselves are valid
    warnings = list(csv.DictReader(result.stdout.splitlines()))
    assert [(w["row"], w["column"], w["value"], w["severity"]) for w in warnings] == [
        ("2", "channel", "Linked\U00013000In", "warning"),
        ("2", "campaign", "Fall \U0001f680", "warning"),
    ]
    assert all(w["rule"] == "character no report font has" for w in warnings)
    assert "'\U00013000' (U+13000)" in warnings[0]["hint"]
    assert "also in 1 more row" in warnings[0]["hint"]
    assert "'\U0001f680' (U+1F680)" in warnings[1]["hint"]


def test_validate_warns_about_cost_categories_and_target_names(tmp_path):
    path = write_workbook(
        tmp_path / "book.xlsx",
        {
            "costs": [
                ["date", "channel", "category", "amount"],
                ["2026-10-01", "LinkedIn", "ads \U0001f4b8", 50],
            ],
            "targets": [
                ["period", "dimension", "name", "metric", "target"],
                ["2026-10", "channel", "Web \U00013000", "revenue", 900],
            ],
        },
    )
    result = run_cli("validate", "--format", "csv", str(path))
    warnings = list(csv.DictReader(result.stdout.splitlines()))
    found = {(w["sheet"], w["row"], w["column"]) for w in warnings}
    assert found == {("costs", "2", "category"), ("targets", "2", "name")}
