"""Who gets which report: the config, the stakeholders sheet, employees and managers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def test_a_sheet_named_people_is_the_kind_its_headers_say(tmp_path):
    """`people` names either people sheet: a stakeholders list kept in people.csv (scope,
    formats) is read as recipients, not as employees whose scope column is dropped."""
    (tmp_path / "recipients").mkdir()
    (tmp_path / "staff").mkdir()
    listed = tmp_path / "recipients" / "people.csv"
    listed.write_text("name,email,scope\nNordic sales,nordic@example.com,team:North\n")
    team = tmp_path / "staff" / "people.csv"
    team.write_text("name,email,team\nAino Virtanen,aino@example.com,North\n")
    recipients = read_dataset([listed], parse_config({}))
    assert recipients.employees.empty
    assert recipients.stakeholders[["name", "scope"]].values.tolist() == [
        ["Nordic sales", "team:North"]
    ]
    employees = read_dataset([team], parse_config({}))
    assert employees.stakeholders.empty
    assert employees.employees[["employee", "team"]].values.tolist() == [["Aino Virtanen", "North"]]
