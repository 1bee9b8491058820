"""Teams and regions from the employees sheet: exact team sums that add up to the totals."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from roi_reports.config import Config, ReportConfig
from roi_reports.ingest.dataset import read_dataset
from roi_reports.pipeline import compute_metrics
from roi_reports.reports.model import Scope, scoped_metrics
from tests.helpers import COSTS_HEADER, RESULTS_HEADER, run_cli, write_csv, write_workbook

OCTOBER = "2026-10-15"
# (employee, contacts, conversions, revenue, own cost); all on LinkedIn in October
PEOPLE = [
    ("Aino Virtanen", 50, 15, 1050.0, 500.0),
    ("Mikko Korhonen", 20, 4, 400.0, 300.0),
    ("Sara Ahmadi", 10, 2, 200.0, 100.0),
    ("Olli Outsider", 5, 1, 100.0, 50.0),  # not in the employees sheet
]
SHARED = 250.0  # a LinkedIn cost with no employee
EMPLOYEES = [
    ["Employee", "Email", "Team", "Region", "Manager email", "Language"],
    ["Aino Virtanen", "aino@example.com", "North", "EU", "lead@example.com", "fi"],
    ["mikko  KORHONEN", "mikko@example.com", "North", "EU", "lead@example.com", None],
    ["Sara Ahmadi", "sara@example", "South", None, "boss@example.com", "en"],  # bad address
]


def team_workbook(folder: Path) -> Path:
    results = [RESULTS_HEADER] + [
        [OCTOBER, "LinkedIn", "Autumn", name, contacts, conversions, revenue, None, "EUR"]
        for name, contacts, conversions, revenue, _ in PEOPLE
    ]
    costs = [COSTS_HEADER] + [
        [OCTOBER, "LinkedIn", "Autumn", name, "ads", cost, "EUR"] for name, *_, cost in PEOPLE
    ]
    costs.append([OCTOBER, "LinkedIn", "Autumn", None, "ads", SHARED, "EUR"])
    return write_workbook(
        folder / "team.xlsx", {"results": results, "costs": costs, "employees": EMPLOYEES}
    )


def config(shared_costs: str = "none") -> Config:
    return Config(report=ReportConfig(shared_costs=shared_costs))  # type: ignore[arg-type]


def by(table: pd.DataFrame, key: str) -> dict[object, dict[str, float]]:
    keyed = table.assign(**{key: table[key].astype(object).where(table[key].notna(), None)})
    return {row[key]: row for row in keyed.to_dict("records")}


def test_team_sums_are_exact_and_add_up_to_the_company_totals(tmp_path):
    dataset = read_dataset([team_workbook(tmp_path)], config())
    assert dataset.report.ok
    teams = by(compute_metrics(dataset, config(), by="team", period="2026-10"), "team")
    assert set(teams) == {"North", "South", "(no team)", None}
    assert teams["North"]["cost"] == 800.0 and teams["North"]["revenue"] == 1450.0
    assert teams["North"]["contacts"] == 70 and teams["North"]["conversions"] == 19
    assert teams["North"]["roi_pct"] == pytest.approx((1450 - 800) / 800 * 100, rel=1e-12)
    assert teams["South"]["cost"] == 100.0 and teams["South"]["revenue"] == 200.0
    assert teams["(no team)"]["cost"] == 50.0 and teams["(no team)"]["revenue"] == 100.0
    assert teams[None]["cost"] == SHARED and teams[None]["revenue"] == 0.0  # unassigned
    total = compute_metrics(dataset, config(), period="2026-10").iloc[0]
    for column in ("cost", "revenue", "contacts", "conversions"):
        assert sum(row[column] for row in teams.values()) == total[column]
    assert total["cost"] == 1200.0 and total["revenue"] == 1750.0


def test_shared_costs_reach_teams_through_their_members(tmp_path):
    """250 shared by revenue 1050:400:200:100 in cents, largest remainder: 150.00, 57.14,
    28.57 and 14.29 (the leftover cent goes to the largest remainder, .5714)."""
    settings = config("revenue")
    dataset = read_dataset([team_workbook(tmp_path)], settings)
    teams = by(compute_metrics(dataset, settings, by="team", period="2026-10"), "team")
    assert teams["North"]["cost"] == pytest.approx(800 + 150.00 + 57.14, abs=1e-9)
    assert teams["South"]["cost"] == pytest.approx(100 + 28.57, abs=1e-9)
    assert teams["(no team)"]["cost"] == pytest.approx(50 + 14.29, abs=1e-9)
    assert None not in teams  # nothing left unassigned
    assert sum(row["cost"] for row in teams.values()) == pytest.approx(1200.0, abs=1e-9)
    regions = by(compute_metrics(dataset, settings, by="region", period="2026-10"), "region")
    assert regions["EU"]["cost"] == pytest.approx(teams["North"]["cost"], abs=1e-9)
    assert regions["(no region)"]["cost"] == pytest.approx(100 + 28.57 + 50 + 14.29, abs=1e-9)
    # each team is exactly the sum of its members as the By employee table shows them
    people = by(compute_metrics(dataset, settings, by="employee", period="2026-10"), "employee")
    north = people["Aino Virtanen"]["cost"] + people["Mikko Korhonen"]["cost"]
    assert teams["North"]["cost"] == pytest.approx(north, abs=1e-9)


def test_a_team_scope_lists_each_member(tmp_path):
    settings = config("revenue")
    dataset = read_dataset([team_workbook(tmp_path)], settings)
    period = "2026-10"
    from roi_reports.pipeline import resolve_period

    when = resolve_period(period, settings.report)
    assert when is not None
    members = scoped_metrics(dataset, settings, Scope("team", "North"), ("employee",), when)
    rows = by(members, "employee")
    assert list(rows) == ["Aino Virtanen", "Mikko Korhonen"]
    assert rows["Aino Virtanen"]["revenue"] == 1050.0
    assert rows["Aino Virtanen"]["cost"] == pytest.approx(650.00, abs=1e-9)
    assert rows["Mikko Korhonen"]["cost"] == pytest.approx(357.14, abs=1e-9)
    total = scoped_metrics(dataset, settings, Scope("team", "North"), (), when).iloc[0]
    assert total["cost"] == pytest.approx(1007.14, abs=1e-9) and total["revenue"] == 1450.0


def test_metrics_by_team_on_the_command_line_warns_about_missing_employees(tmp_path):
    book = team_workbook(tmp_path)
    result = run_cli(
        "metrics", "--by", "team,region", "--period", "2026-10", "--format", "json", str(book)
    )
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    keys = [(r["team"], r["region"]) for r in records]
    assert keys == [  # named teams first, then "(no team)", then the unassigned
        ("North", "EU"),
        ("South", "(no region)"),
        ("(no team)", "(no region)"),
        (None, None),
    ]
    assert "employee not in the employees sheet (value 'Olli Outsider')" in result.stderr
    assert '"(no team)" group' in result.stderr


def test_grouping_by_team_needs_an_employees_sheet(tmp_path):
    book = write_workbook(
        tmp_path / "data.xlsx",
        {"results": [RESULTS_HEADER, [OCTOBER, "LinkedIn", None, "Aino", 1, 1, 10, None, None]]},
    )
    result = run_cli("metrics", "--by", "team", str(book))
    assert result.exit_code == 2
    assert "grouping by team needs an employees sheet with a team column" in result.output


def test_bad_people_rows_are_warnings_naming_the_row(tmp_path):
    dataset = read_dataset([team_workbook(tmp_path)], config())
    assert dataset.report.ok  # a bad address never makes the data file invalid
    found = {(p.sheet, p.row, p.column, p.rule) for p in dataset.report.warnings}
    assert ("employees", 4, "email", "not an email address") in found


@pytest.mark.parametrize(
    ("sheet", "header"),
    [
        ("Työntekijät", ["Työntekijä", "Sähköposti", "Tiimi", "Alue", "Esihenkilö", "Kieli"]),
        ("کارمندان", ["کارمند", "ایمیل", "تیم", "منطقه", "ایمیل مدیر", "زبان"]),
        ("Sheet7", ["Name", "E-mail", "Team"]),  # recognised by its headers
    ],
)
def test_employees_sheets_in_finnish_persian_or_by_headers(tmp_path, sheet, header):
    row = ["Aino Virtanen", "aino@example.com", "North", "EU", "lead@example.com", "fi"]
    book = write_workbook(tmp_path / "people.xlsx", {sheet: [header, row[: len(header)]]})
    employees = read_dataset([book], config()).employees
    assert employees[["employee", "email", "team"]].values.tolist() == [
        ["Aino Virtanen", "aino@example.com", "North"]
    ]


def test_a_results_sheet_missing_a_column_is_not_taken_for_employees(tmp_path):
    path = write_csv(
        tmp_path / "export.csv",
        [["date", "channel", "employee", "contacts"], [OCTOBER, "LinkedIn", "Aino", 3]],
    )
    dataset = read_dataset([path], config())
    assert dataset.employees.empty
    assert [p.rule for p in dataset.report.errors] == ["no data table"]


def test_an_employee_in_two_files_takes_the_later_files_row(tmp_path):
    first = write_workbook(
        tmp_path / "a-people.xlsx", {"employees": [["employee", "team"], ["Aino", "North"]]}
    )
    second = write_workbook(
        tmp_path / "b-people.xlsx", {"employees": [["employee", "team"], ["aino", "South"]]}
    )
    results = write_workbook(
        tmp_path / "data.xlsx",
        {"results": [RESULTS_HEADER, [OCTOBER, "LinkedIn", None, "Aino", 1, 1, 10, None, None]]},
    )
    dataset = read_dataset([first, second, results], config())
    teams = compute_metrics(dataset, config(), by="team")
    assert teams["team"].tolist() == ["South"]
    twice = [p for p in dataset.report.warnings if p.rule == "employee listed twice"]
    assert [(p.file, p.row) for p in twice] == [("a-people.xlsx", 2)]
    assert "b-people.xlsx" in twice[0].hint


def test_email_headlines_are_the_figures_of_each_scopes_report(tmp_path):
    """Headlines pick each scope's total from the team-wide tables (no model per person)."""
    from roi_reports.pipeline import resolve_period
    from roi_reports.reports.headline import Headlines, headline_from_model
    from roi_reports.reports.model import build_report_model

    settings = config("revenue")
    dataset = read_dataset([team_workbook(tmp_path)], settings)
    when = resolve_period("2026-10", settings.report)
    assert when is not None
    headlines = Headlines(dataset, settings, when)
    for label in ("all", "team:North", "employee:Sara Ahmadi", "team:(no team)"):
        model = build_report_model(dataset, settings, when, Scope.parse(label))
        for language in ("en", "fi", "fa"):
            assert headlines(label, language) == headline_from_model(model, language), label
    assert headlines("team:North", "en")["Cost"] == "€1,007.14"
