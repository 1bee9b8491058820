"""Who gets which report: the config, the stakeholders sheet, employees and managers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from roi_reports.config import parse_config
from roi_reports.ingest.dataset import read_dataset
from roi_reports.jobs.recipients import build_recipients
from tests.helpers import write_workbook

EMPLOYEES = [
    ["employee", "email", "team", "manager_email", "language"],
    ["Aino Virtanen", "aino@example.com", "North", "leena@example.com", "fi"],
    ["Mikko Korhonen", None, "North", "leena@example.com", None],  # no address
    ["Sara Ahmadi", "sara@example.com", "South", "not-an-address", None],  # bad manager
    ["Leena Johtaja", "Leena@Example.com", "Board", None, "fa"],
]
STAKEHOLDERS = [
    ["name", "email", "scope", "language", "formats"],
    ["Leena as sheet", "leena@example.com", "team:North", None, "pdf xlsx"],
    ["CFO", "cfo@example.com", None, None, None],
    ["Aino twice", "AINO@example.com", "employee:Aino Virtanen", None, None],
]
WITH_DATA = {"aino virtanen": "Aino Virtanen", "mikko korhonen": "Mikko Korhonen"}


def people_frames(tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    book = write_workbook(
        tmp_path / "people.xlsx", {"employees": EMPLOYEES, "stakeholders": STAKEHOLDERS}
    )
    dataset = read_dataset([book], parse_config({}))
    return dataset.stakeholders, dataset.employees


def settings(**email: object):
    config = {"email": email, "stakeholders": [{"name": "Boss", "email": "cfo@example.com"}]}
    return parse_config(config)


def test_config_first_then_sheet_then_employees_then_managers(tmp_path):
    stakeholders, employees = people_frames(tmp_path)
    config = settings(employee_reports=True, manager_reports="team+members")
    found = build_recipients(config, stakeholders, employees, WITH_DATA, ["North", "South"])
    listed = [(p.name, p.email, p.scope, p.language, p.formats, p.origin) for p in found.people]
    where = "people.xlsx, sheet 'stakeholders', row"
    assert listed == [
        ("Boss", "cfo@example.com", "all", None, ("pdf",), "config"),
        ("Leena as sheet", "leena@example.com", "team:North", None, ("pdf", "xlsx"), f"{where} 2"),
        ("Aino twice", "AINO@example.com", "employee:Aino Virtanen", None, ("pdf",), f"{where} 4"),
    ]
    # the CFO row repeats the config's entry; Aino's own and Leena's manager report repeat
    # the sheet's rows (same address and scope): one message each, the earlier source wins
    assert found.duplicates == (
        "cfo@example.com (all)",
        "aino@example.com (employee:Aino Virtanen)",
        "leena@example.com (team:North)",
    )
    (mikko,) = found.unusable
    assert (mikko.name, mikko.failed) == ("Mikko Korhonen", False)
    assert "no email address" in mikko.reason


def test_managers_get_their_teams_report_with_the_members_attached(tmp_path):
    _, employees = people_frames(tmp_path)
    config = settings(manager_reports="team+members")
    empty = pd.DataFrame(columns=["name", "email", "scope", "language", "formats"])
    found = build_recipients(config, empty.iloc[:0], employees, WITH_DATA, ["North", "South"])
    managers = [p for p in found.people if p.origin == "manager"]
    # South's only manager address is malformed (warned at ingest): no team report for it
    assert [(p.name, p.email, p.scope, p.language, p.attach_scopes) for p in managers] == [
        (
            "Leena Johtaja",  # she has a row of her own: her name and her language
            "leena@example.com",
            "team:North",
            "fa",
            ("employee:Aino Virtanen", "employee:Mikko Korhonen"),
        )
    ]
    only_team = build_recipients(
        settings(manager_reports="team"), empty, employees, WITH_DATA, ["North"]
    )
    assert [p.attach_scopes for p in only_team.people if p.origin == "manager"] == [()]


def test_without_the_settings_the_employees_sheet_sends_nothing(tmp_path):
    _, employees = people_frames(tmp_path)
    empty = pd.DataFrame(columns=["name", "email", "scope", "language", "formats"])
    found = build_recipients(settings(), empty, employees, WITH_DATA, ["North"])
    assert [p.origin for p in found.people] == ["config"]
    assert found.unusable == ()


def test_a_manager_without_a_row_is_greeted_by_the_name_the_config_gives(tmp_path):
    book = write_workbook(
        tmp_path / "people.xlsx",
        {
            "employees": [
                ["employee", "team", "manager_email"],
                ["Aino", "North", "cfo@example.com"],
            ]
        },
    )
    employees = read_dataset([book], parse_config({})).employees
    empty = pd.DataFrame(columns=["name", "email", "scope", "language", "formats"])
    found = build_recipients(settings(manager_reports="team"), empty, employees, {}, ["North"])
    assert [(p.name, p.scope) for p in found.people] == [("Boss", "all"), ("Boss", "team:North")]


def _read_people_csv(folder: Path, text: str):
    folder.mkdir()
    path = folder / "people.csv"
    path.write_text(text)
    return read_dataset([path], parse_config({}))


@pytest.mark.parametrize(
    "header",
    [
        "name,email,scope",
        "name,email,team,scope",  # as many employees columns as stakeholders ones
        "employee,email,team,region,scope,formats",
    ],
)
def test_a_sheet_named_people_with_a_scope_is_a_stakeholders_sheet(tmp_path, header):
    """`people` names either people sheet: a recipients list kept in people.csv (a scope or
    formats column) is read as stakeholders, not as employees whose scope is dropped."""
    values = {"name": "Nordic sales", "employee": "Nordic sales", "email": "nordic@example.com"}
    values |= {"team": "North", "region": "Finland", "scope": "team:North", "formats": "pdf"}
    row = ",".join(values[column] for column in header.split(","))
    dataset = _read_people_csv(tmp_path / "list", f"{header}\n{row}\n")
    assert dataset.employees.empty
    assert dataset.stakeholders[["name", "email", "scope"]].fillna("").values.tolist() == [
        ["Nordic sales" if "name" in header else "", "nordic@example.com", "team:North"]
    ]
    # the employees columns beside them are not read, and a note says which
    employees_only = [c for c in header.split(",") if c in ("employee", "team", "region")]
    notes = [note for note in dataset.notes if "not read" in note]
    assert len(notes) == bool(employees_only)
    assert all(f"'{column}'" in notes[0] for column in employees_only)


@pytest.mark.parametrize(
    ("header", "team"),
    [
        ("name,email,team", "North"),
        ("name,email,team", "Scope"),  # a team named Scope: a data cell, not a header
        ("employee,email,team,formats", "North"),  # formats beside an employees column
    ],
)
def test_a_sheet_named_people_without_a_scope_is_an_employees_sheet(tmp_path, header, team):
    row = f"Aino Virtanen,aino@example.com,{team},pdf"
    text = f"{header}\n{','.join(row.split(',')[: header.count(',') + 1])}\n"
    dataset = _read_people_csv(tmp_path / "staff", text)
    assert dataset.stakeholders.empty
    assert dataset.employees[["employee", "team"]].values.tolist() == [["Aino Virtanen", team]]
    left_out = [note for note in dataset.notes if "not read" in note]
    assert left_out == (
        [
            "people.csv [people]: read as an employees sheet, so its column(s) "
            "'formats' are not read: keep stakeholders in a sheet or file of their own (e.g. "
            "named stakeholders)"
        ]
        if "formats" in header
        else []
    )


def test_a_people_recipients_list_without_addresses_says_what_it_lacks(tmp_path):
    dataset = _read_people_csv(tmp_path / "list", "name,scope\nNordic sales,team:North\n")
    assert dataset.employees.empty and dataset.stakeholders.empty
    (problem,) = dataset.report.errors
    assert "email" in problem.hint and "stakeholders" in problem.hint
