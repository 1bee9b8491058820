"""Warnings in file, sheet and row order in every output that lists them.

The checks find them in their own order: totals rows bottom-up (row 9, 8, 7, 6), the
reader's findings before the rules', one sheet's before the next's. Every list a person
reads — validate (table, JSON, CSV), the quarantine's .errors.csv, the workbook's Data
quality sheet, the PDF, the manifest of the run — goes file by file, sheet by sheet (in
the workbook's order), row by row.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from roi_reports.validation import Problem, reading_order
from tests.helpers import pdf_text, run_cli, write_csv, write_workbook

RESULTS = ["date", "channel", "campaign", "employee", "contacts", "conversions", "revenue"]
COSTS = ["date", "channel", "campaign", "employee", "category", "amount"]
PERIOD = "2026-10"

MORE = "more conversions than contacts"
TOTALS = "totals row skipped"
DUPLICATE = "duplicate row"
NOT_A_NUMBER = "not a number"


def good_workbook(path: Path, bad_contacts: bool = False) -> Path:
    """Sheets results then costs; warnings at results rows 3, 5 (conversions > contacts),
    6–9 (four totals rows), costs rows 3 (duplicate) and 5 (totals)."""
    results = [
        RESULTS,
        ["2026-10-05", "LinkedIn", "Leads", "Aino", 10, 2, 500],
        ["2026-10-06", "LinkedIn", "Leads", "Aino", 1, 3, 300],
        ["2026-10-07", "Trade fairs", "Expo", "Mikko", "many" if bad_contacts else 20, 4, 800],
        ["2026-10-08", "Trade fairs", "Expo", "Mikko", 2, 4, 800],
        ["Total", None, None, None, 33, 13, 2400],
        ["Total: Account", None, None, None, 33, 13, 2400],
        ["Yhteensä", None, None, None, 33, 13, 2400],
        ["جمع", None, None, None, 33, 13, 2400],
    ]
    costs = [
        COSTS,
        ["2026-10-01", "LinkedIn", "Leads", "Aino", "ads", 100],
        ["2026-10-01", "LinkedIn", "Leads", "Aino", "ads", 100],
        ["2026-10-02", "Trade fairs", "Expo", "Mikko", "stand", 200],
        ["Total", None, None, None, None, 400],
    ]
    return write_workbook(path, {"results": results, "costs": costs})


def second_file(path: Path) -> Path:
    rows = [RESULTS, ["2026-10-09", "Email", "News", "Sara", 5, 1, 50]]
    rows.append(["2026-10-10", "Email", "News", "Sara", 1, 2, 90])
    return write_csv(path, rows)


def expected(first: str = "a.xlsx", second: str = "b.csv") -> list[tuple[str, str, int, str]]:
    return [
        (first, "results", 3, MORE),
        (first, "results", 5, MORE),
        (first, "results", 6, TOTALS),
        (first, "results", 7, TOTALS),
        (first, "results", 8, TOTALS),
        (first, "results", 9, TOTALS),
        (first, "costs", 3, DUPLICATE),
        (first, "costs", 5, TOTALS),
        (second, second.removesuffix(".csv"), 3, MORE),
    ]


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    return [good_workbook(tmp_path / "a.xlsx"), second_file(tmp_path / "b.csv")]


def where(rows: list[dict]) -> list[tuple[str, str, int, str]]:
    return [(r["file"], r["sheet"], int(r["row"]), r["rule"]) for r in rows]


def test_reading_order_sorts_by_file_sheet_and_row_keeping_the_found_order_of_a_row():
    def problem(file: str, sheet: str | None, row: int | None, rule: str) -> Problem:
        return Problem(file, sheet, row, None, None, rule, "", "warning")

    found = [
        problem("b.csv", "b", 4, "late"),
        problem("a.xlsx", "costs", 2, "x"),
        problem("a.xlsx", "results", 9, "x"),
        problem("a.xlsx", "results", 7, "first of row 7"),
        problem("a.xlsx", "results", 7, "second of row 7"),
        problem("a.xlsx", None, None, "whole file"),
        problem("a.xlsx", "results", None, "whole sheet"),
    ]
    ordered = reading_order(found, files=["a.xlsx", "b.csv"], sheets=[("a.xlsx", "results")])
    assert [(p.file, p.sheet, p.row, p.rule) for p in ordered] == [
        ("a.xlsx", None, None, "whole file"),
        ("a.xlsx", "results", None, "whole sheet"),
        ("a.xlsx", "results", 7, "first of row 7"),
        ("a.xlsx", "results", 7, "second of row 7"),
        ("a.xlsx", "results", 9, "x"),
        ("a.xlsx", "costs", 2, "x"),
        ("b.csv", "b", 4, "late"),
    ]


def test_validate_lists_warnings_in_order_as_table_json_and_csv(inputs):
    names = [str(p) for p in inputs]
    as_json = run_cli("validate", "--format", "json", *names)
    assert as_json.exit_code == 0, as_json.output
    assert where(json.loads(as_json.stdout)) == expected()

    as_csv = run_cli("validate", "--format", "csv", *names)
    assert where(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == expected()

    table = run_cli("validate", *names).stdout.splitlines()
    found = [
        (line.split()[0], line.split()[1], int(line.split()[2]))
        for line in table
        if re.match(r"^[ab]\.(xlsx|csv)\s", line)
    ]
    assert found == [e[:3] for e in expected()]


def dq_rows(workbook: Path) -> list[tuple[str, str, int, str]]:
    sheet = load_workbook(workbook)["Data quality"]
    header = [c.value for c in sheet[1]]
    at = {name: header.index(name) for name in ("File", "Sheet", "Row", "Rule")}
    rows = []
    for cells in sheet.iter_rows(min_row=2, values_only=True):
        if cells[at["Row"]] is None:
            break
        rows.append((cells[at["File"]], cells[at["Sheet"]], cells[at["Row"]], cells[at["Rule"]]))
    return rows


def pdf_rows(pdf: Path) -> list[tuple[str, str, int]]:
    """(file, sheet, row) of each line of the PDF's data-quality section, in print order."""
    text = pdf_text(pdf)
    quality = " ".join(text.split("Data quality")[-1].split())
    found = re.findall(r"([ab]\.(?:xlsx|csv)), sheet '(\w+)', row (\d+)", quality)
    return [(file, sheet, int(row)) for file, sheet, row in found]


@pytest.mark.pdf
def test_the_monthly_job_lists_warnings_in_order_everywhere(tmp_path, inputs):
    """Workbook, PDF and manifest of a run; the quarantine's list of a file with an error."""
    root = tmp_path / "team"
    assert run_cli("init", str(root)).exit_code == 0
    config = root / "roi-reports.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[output]\n", '[output]\npdf_scopes = ["all"]\n'), "utf-8")
    for sample in (root / "inbox").iterdir():
        sample.unlink()  # only this test's files: their warnings are the whole list
    for path in inputs:
        shutil.copy(path, root / "inbox" / path.name)
    good_workbook(root / "inbox" / "c-bad.xlsx", bad_contacts=True)

    result = run_cli("run", "--dir", str(root), "--period", PERIOD, "--no-send")
    assert result.exit_code == 3, result.output  # done, with a file quarantined
    assert "warnings: 9 (see the Data quality sheet)" in result.stdout

    out = root / "out" / PERIOD
    assert dq_rows(out / f"roi-summary-{PERIOD}.xlsx") == expected()
    assert pdf_rows(out / "pdf" / "executive-summary.pdf") == [e[:3] for e in expected()]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    lines = [re.match(r"(\S+), sheet '(\w+)', row (\d+)", line) for line in manifest["warnings"]]
    assert [(m[1], m[2], int(m[3])) for m in lines if m] == [e[:3] for e in expected()]

    errors_csv = (root / "quarantine" / "c-bad.xlsx.errors.csv").read_text(encoding="utf-8")
    listed = where(list(csv.DictReader(io.StringIO(errors_csv))))
    bad = [e for e in expected("c-bad.xlsx") if e[0] == "c-bad.xlsx"]
    assert listed == [*bad[:1], ("c-bad.xlsx", "results", 4, NOT_A_NUMBER), *bad[1:]]
