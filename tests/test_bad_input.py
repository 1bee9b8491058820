"""Bad input: a clear error naming file, sheet, row and column, a non-zero exit, no output."""

import json

import pytest

from roi_reports import Config, InputError, load_dataset
from tests.helpers import run_cli, write_csv, write_workbook

GOOD_RESULTS = [
    ["date", "channel", "contacts", "conversions", "revenue"],
    ["2026-10-01", "LinkedIn", 10, 2, 300],
]


def problems_of(*paths):
    with pytest.raises(InputError) as caught:
        load_dataset(paths, Config())
    return caught.value.report.errors


def test_missing_required_column(tmp_path):
    path = write_workbook(
        tmp_path / "r.xlsx",
        {
            "results": [
                ["date", "channel", "contacts", "revenue"],
                ["2026-10-01", "LinkedIn", 10, 300],
            ]
        },
    )
    [problem] = problems_of(path)
    assert (problem.file, problem.sheet, problem.row, problem.column) == (
        "r.xlsx",
        "results",
        1,
        "conversions",
    )
    assert problem.rule == "required column missing"


def test_non_numeric_amount(tmp_path):
    path = write_workbook(
        tmp_path / "c.xlsx",
        {
            "results": GOOD_RESULTS,
            "costs": [
                ["date", "channel", "amount"],
                ["2026-10-01", "LinkedIn", 100],
                ["2026-10-02", "LinkedIn", "lots"],
            ],
        },
    )
    [problem] = problems_of(path)
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "costs",
        3,
        "amount",
        "lots",
    )
    assert "number" in problem.rule


def test_unknown_currency_without_rate(tmp_path):
    path = write_workbook(
        tmp_path / "fx.xlsx",
        {
            "results": GOOD_RESULTS,
            "costs": [
                ["date", "channel", "amount", "currency"],
                ["2026-10-01", "LinkedIn", 100, "SEK"],
            ],
        },
    )
    [problem] = problems_of(path)
    assert problem.rule == "no exchange rate"
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "costs",
        2,
        "currency",
        "SEK",
    )
    assert "SEK" in problem.hint and "2026-10" in problem.hint


def test_a_missing_rate_is_one_problem_naming_the_rows_it_blocks(tmp_path):
    costs = [["date", "channel", "amount", "currency"]]
    costs += [[f"2026-10-{day:02d}", "LinkedIn", 100, "SEK"] for day in (1, 2, 3)]
    costs += [["2026-11-01", "LinkedIn", 100, "SEK"]]  # another month: another rate to add
    costs += [["2026-10-05", "LinkedIn", 100, "SEK"]]
    path = write_workbook(tmp_path / "fx.xlsx", {"results": GOOD_RESULTS, "costs": costs})
    october, november = problems_of(path)
    assert (october.row, october.value, november.row) == (2, "SEK", 5)
    assert "month 2026-10" in october.hint and "rows 2–4 and 6" in october.hint
    assert "month 2026-11" in november.hint and "blocks" not in november.hint


def test_fx_rate_converts(tmp_path):
    path = write_workbook(
        tmp_path / "fx.xlsx",
        {
            "results": GOOD_RESULTS,
            "costs": [
                ["date", "channel", "amount", "currency"],
                ["2026-10-01", "LinkedIn", 100, "USD"],
            ],
            "fx_rates": [["currency", "month", "rate"], ["USD", "2026-10", 0.9]],
        },
    )
    dataset = load_dataset([path], Config())
    assert dataset.costs["amount"].iloc[0] == pytest.approx(90.0)


def test_empty_sheet(tmp_path):
    path = write_workbook(tmp_path / "e.xlsx", {"results": GOOD_RESULTS, "costs": []})
    [problem] = problems_of(path)
    assert (problem.sheet, problem.rule) == ("costs", "empty sheet")


def test_wrong_file_type(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")
    [problem] = problems_of(path)
    assert problem.file == "notes.pdf"
    assert "unsupported file type .pdf" in problem.hint


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    [problem] = problems_of(path)
    assert "not a readable spreadsheet" in problem.hint


def test_every_problem_in_every_file_is_listed(tmp_path):
    first = write_workbook(
        tmp_path / "a.xlsx",
        {
            "results": [
                ["date", "channel", "contacts", "conversions", "revenue"],
                ["2026-10-01", "LinkedIn", -1, 2, 300],
                ["not a date", "LinkedIn", 10, 2.5, 300],
                ["2026-10-03", None, 10, 2, 300],
            ]
        },
    )
    second = write_csv(tmp_path / "b.csv", [["date", "amount"], ["2026-10-01", "x"]])
    problems = problems_of(first, second)
    found = {(p.file, p.row, p.column, p.rule) for p in problems}
    assert found == {
        ("a.xlsx", 2, "contacts", "negative value"),
        ("a.xlsx", 3, "date", "not a date"),
        ("a.xlsx", 3, "conversions", "not a whole number"),
        ("a.xlsx", 4, "channel", "required value missing"),
        ("b.csv", 2, "amount", "not a number"),
    }


def test_cli_metrics_exits_1_with_one_error_line(tmp_path):
    path = write_workbook(
        tmp_path / "r.xlsx",
        {
            "results": [
                ["date", "channel", "contacts", "revenue"],
                ["2026-10-01", "LinkedIn", 10, 300],
            ]
        },
    )
    result = run_cli("metrics", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "Error: 1 problem in 1 file: r.xlsx, sheet 'results', row 1, column 'conversions'"
    )
    assert "Traceback" not in result.stderr


def test_cli_validate_lists_problems_as_json(tmp_path):
    path = write_workbook(
        tmp_path / "c.xlsx",
        {"costs": [["date", "channel", "amount"], ["2026-10-01", "LinkedIn", "lots"]]},
    )
    result = run_cli("validate", "--format", "json", str(path))
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)
    assert problem | {"hint": None} == {
        "file": "c.xlsx",
        "sheet": "costs",
        "row": 2,
        "column": "amount",
        "value": "lots",
        "rule": "not a number",
        "hint": None,
        "severity": "error",
    }


def test_inputs_are_not_modified(tmp_path):
    path = write_workbook(
        tmp_path / "c.xlsx",
        {"costs": [["date", "channel", "amount"], ["2026-10-01", "LinkedIn", "lots"]]},
    )
    before = path.read_bytes()
    run_cli("validate", str(path))
    run_cli("metrics", str(path))
    assert path.read_bytes() == before
