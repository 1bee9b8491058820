"""A whole organisation through the monthly job and a real SMTP server (aiosmtpd on
127.0.0.1): recipients from sheets, a report for every employee, team reports for managers."""

from __future__ import annotations

import json
from itertools import takewhile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from roi_reports.jobs.workdir import WorkDir, init_workdir
from tests.helpers import COSTS_HEADER, RESULTS_HEADER, pdf_text, run_cli, write_csv, write_workbook
from tests.smtp_server import RecordingHandler, attachment_names, plain_body, smtp_server

PERIOD = "2026-10"
DAY = "2026-10-15"
# (employee, contacts, conversions, revenue, cost); Olli is not in the employees sheet
DATA = [
    ("Aino Virtanen", 50, 15, 1050.0, 500.0),
    ("Mikko Korhonen", 20, 4, 400.0, 300.0),
    ("Sara Ahmadi", 10, 2, 200.0, 100.0),
    ("Olli Outsider", 5, 1, 100.0, 50.0),
]
EMPLOYEES = [
    ["Employee", "Email", "Team", "Region", "Manager email"],
    ["Aino Virtanen", "aino@example.com", "North", "EU", "leena@example.com"],
    ["Mikko Korhonen", "mikko@example.com", "North", "EU", "leena@example.com"],
    ["Sara Ahmadi", "sara@example", "South", "US", "omid@example.com"],  # bad address
    ["Pekka Idle", "pekka@example.com", "North", "EU", "leena@example.com"],  # no data
    ["Leena Johtaja", "leena@example.com", "Management", "EU", None],
]

pytestmark = pytest.mark.pdf


def data_sheets() -> dict[str, list[list[object]]]:
    results = [RESULTS_HEADER] + [
        [DAY, "LinkedIn", "Autumn", name, contacts, conversions, revenue, None, "EUR"]
        for name, contacts, conversions, revenue, _ in DATA
    ]
    costs = [COSTS_HEADER] + [
        [DAY, "LinkedIn", "Autumn", name, "ads", cost, "EUR"] for name, *_, cost in DATA
    ]
    return {"results": results, "costs": costs}


def team_folder(tmp_path: Path, port: int, email: str, sheets: dict | None = None) -> WorkDir:
    """A working folder with the team's data (and `sheets`) waiting in its inbox."""
    workdir = init_workdir(tmp_path / "team", "en")
    for sample in workdir.inbox.iterdir():
        sample.unlink()  # only this test's data
    write_workbook(workdir.inbox / "data.xlsx", data_sheets())
    if sheets:
        write_workbook(workdir.inbox / "people.xlsx", sheets)
    workdir.config.write_text(
        '[report]\ntitle = "Sales ROI"\ntimezone = "Europe/Helsinki"\n'
        '[output]\npdf_scopes = ["all"]\n'
        f'[email]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n'
        'sender = "reports@example.com"\ntimeout_s = 5\nretry_delay_s = 0.01\n' + email,
        encoding="utf-8",
    )
    return workdir


def run(workdir: WorkDir, *args: str):
    return run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--quiet", *args)


def manifest(workdir: WorkDir) -> dict:
    return json.loads((workdir.out / PERIOD / "manifest.json").read_text(encoding="utf-8"))


def received(handler: RecordingHandler) -> dict[str, list[str]]:
    """Recipient → attachment names of each message they got."""
    found: dict[str, list[str]] = {}
    for message in handler.messages:
        (to,) = message.rcpt_tos
        assert to not in found, f"{to} got two messages"
        found[to] = attachment_names(message.message)
    return found


def test_every_employee_and_manager_gets_their_report_with_exact_team_sums(tmp_path):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        email = 'employee_reports = true\nmanager_reports = "team+members"\n'
        workdir = team_folder(tmp_path, server.port, email, {"employees": EMPLOYEES})
        result = run(workdir)
        assert result.exit_code == 3, result.output  # Sara's address is bad: she alone fails
        got = received(handler)
        assert got == {
            "aino@example.com": ["employee-aino-virtanen.pdf"],
            "mikko@example.com": ["employee-mikko-korhonen.pdf"],
            # North's manager: the team's report, then each member's
            "leena@example.com": [
                "employee-aino-virtanen.pdf",
                "employee-mikko-korhonen.pdf",
                "team-north.pdf",
            ],
            "omid@example.com": ["employee-sara-ahmadi.pdf", "team-south.pdf"],
        }
        leena = next(m for m in handler.messages if m.rcpt_tos == ["leena@example.com"])
        assert "Hello Leena Johtaja," in plain_body(leena.message)
        assert "team North" in plain_body(leena.message)
        deliveries = {(d["email"], d["scope"]): d for d in manifest(workdir)["deliveries"]}
        sara = deliveries[("sara@example", "employee:Sara Ahmadi")]
        assert sara["status"] == "failed"
        assert sara["error"] == (
            "people.xlsx, sheet 'employees', row 4: not an email address: sara@example"
        )
        assert "pekka@example.com" not in {email for email, _ in deliveries}  # no data

        # a rerun mails nobody twice
        assert run(workdir).exit_code == 3
        assert len(handler.messages) == 4
        # the run recorded its people: `resend` reaches an employee from the sheet
        again = run_cli(
            "resend", "--dir", str(workdir.root), "--period", PERIOD, "--to", "aino@example.com"
        )
        assert again.exit_code == 0, again.output
        assert attachment_names(handler.messages[-1].message) == ["employee-aino-virtanen.pdf"]
        assert handler.messages[-1].rcpt_tos == ["aino@example.com"]

    # the workbook's By team sheet: exact sums that add up to the company's totals
    out = workdir.out / PERIOD
    book = load_workbook(out / f"roi-summary-{PERIOD}.xlsx", data_only=True)
    assert book.sheetnames[4:6] == ["By team", "By region"]
    sheet = book["By team"]
    header = [cell.value for cell in sheet[1]]
    cost, revenue = header.index("Cost"), header.index("Revenue")
    rows = {row[0]: (row[cost], row[revenue]) for row in table_rows(sheet)}
    assert rows == {
        "North": (800.0, 1450.0),
        "South": (100.0, 200.0),
        "(no team)": (50.0, 100.0),
        "Total": (950.0, 1750.0),
    }
    regions = book["By region"]
    assert [r[0] for r in table_rows(regions)] == [
        "EU",
        "US",
        "(no region)",
        "Total",
    ]
    summary = pdf_text(out / "pdf" / "executive-summary.pdf", layout=True)
    assert "By team" in summary and "By region" in summary and "(no team)" in summary
    # the team's report lists each member's figures
    north = pdf_text(out / "pdf" / "team-north.pdf", layout=True)
    assert "Team: North" in north and "Team members" in north
    assert "€1,450.00" in north and "€1,050.00" in north and "€400.00" in north
    assert "Company: €950.00" in north  # the KPI card's whole-company cost
    warnings = manifest(workdir)["warnings"]
    assert any("employee not in the employees sheet (value 'Olli Outsider')" in w for w in warnings)


STAKEHOLDERS = [
    ["Name", "Email", "Scope", "Formats"],
    ["Chief Financial", "cfo@example.com", "all", "pdf, xlsx"],
    ["Typo", "typo@example", "all", "pdf"],
    ["Wrong scope", "wrong@example.com", "region:EU", "pdf"],
    ["North watcher", "watch@example.com", "team:North", "pdf"],
]


def test_a_stakeholders_sheet_with_a_bad_row_stops_only_that_person(tmp_path):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        # the people are in a file beside the config, named by [email] stakeholders_file
        workdir = team_folder(tmp_path, server.port, 'stakeholders_file = "recipients.csv"\n')
        write_csv(workdir.root / "recipients.csv", STAKEHOLDERS)
        write_workbook(workdir.inbox / "people.xlsx", {"employees": EMPLOYEES})
        plan = run_cli("plan", "--dir", str(workdir.root), "--period", PERIOD)
        assert plan.exit_code == 0, plan.output
        assert "to send      Chief Financial <cfo@example.com> (all)" in plan.output
        assert "invalid      Typo <typo@example> (all)" in plan.output
        assert "recipients.csv, sheet 'recipients', row 3: not an email address" in plan.output
        assert "recipients.csv, sheet 'recipients', row 4: unknown scope: region:EU" in plan.output

        result = run(workdir)
        assert result.exit_code == 3, result.output
        assert received(handler) == {
            "cfo@example.com": ["executive-summary.pdf", f"roi-summary-{PERIOD}.xlsx"],
            "watch@example.com": ["team-north.pdf"],
        }
    failed = {
        d["email"]: d["error"] for d in manifest(workdir)["deliveries"] if d["status"] == "failed"
    }
    where = "recipients.csv, sheet 'recipients', row"
    assert failed == {
        "typo@example": f"{where} 3: not an email address: typo@example",
        "wrong@example.com": f"{where} 4: unknown scope: region:EU",
    }
    assert manifest(workdir)["stakeholders_file"]["file"] == "recipients.csv"


def test_a_new_version_of_the_stakeholders_sheet_replaces_the_old(tmp_path):
    first = [STAKEHOLDERS[0], STAKEHOLDERS[1], ["Old", "old@example.com", "all", "pdf"]]
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        workdir = team_folder(tmp_path, server.port, "", {"stakeholders": first})
        assert run(workdir).exit_code == 0
        assert set(received(handler)) == {"cfo@example.com", "old@example.com"}
        # the same file name again, Old replaced by New: the plan and the run follow it
        second = [STAKEHOLDERS[0], STAKEHOLDERS[1], ["New", "new@example.com", "all", "pdf"]]
        write_workbook(workdir.inbox / "people.xlsx", {"stakeholders": second})
        plan = run_cli("plan", "--dir", str(workdir.root), "--period", PERIOD, "--format", "json")
        listed = {(d["email"], d["status"]) for d in json.loads(plan.stdout)["deliveries"]}
        assert listed == {("cfo@example.com", "already sent"), ("new@example.com", "to send")}
        assert run(workdir).exit_code == 0
        assert set(received(handler)) == {"cfo@example.com", "old@example.com", "new@example.com"}
        assert len(handler.messages) == 3
    replaced = {i["file"]: i["replaced_versions"] for i in manifest(workdir)["inputs"]}
    assert len(replaced["people.xlsx"]) == 1


def table_rows(sheet) -> list[tuple]:
    """The rows under a sheet's header down to the table's end (notes follow a blank row)."""
    return list(takewhile(lambda row: row[0] is not None, sheet.iter_rows(2, values_only=True)))
