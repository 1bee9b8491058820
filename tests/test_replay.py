"""A rerun on unchanged inputs replays the last run's figures and recipients
(jobs/replay.py): it reads no store and computes no metrics, and says and writes exactly
what computing them would have."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roi_reports.config import load_config
from roi_reports.jobs import monthly
from roi_reports.jobs.console import run_summary
from roi_reports.jobs.monthly import RunResult, run_monthly
from roi_reports.jobs.replay import SEAL, seal
from roi_reports.jobs.workdir import WorkDir
from tests.helpers import write_csv, write_workbook
from tests.test_org_delivery import EMPLOYEES, PERIOD, team_folder

pytestmark = pytest.mark.pdf
NOW = datetime(2026, 11, 2, 6, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
ORG = 'employee_reports = true\nmanager_reports = "team+members"\n'


def _run(workdir: WorkDir) -> RunResult:
    return run_monthly(workdir, load_config(workdir.config), PERIOD, NOW, send=False)


def _manifest(workdir: WorkDir) -> dict:
    return json.loads((workdir.out / PERIOD / "manifest.json").read_text(encoding="utf-8"))


def _outbox(workdir: WorkDir) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((workdir.outbox / PERIOD).iterdir())}


class Computing:
    """Counts the runs that loaded the store."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loads = 0
        load = monthly.load_store

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.loads += 1
            return load(*args, **kwargs)

        monkeypatch.setattr(monthly, "load_store", counted)


def _same_facts(first: dict, second: dict) -> None:
    for field in ("overview", "warnings", "recipients", "headlines", "outputs", "cache_key"):
        assert second[field] == first[field], field
    assert second["deliveries"] == first["deliveries"]


def test_a_rerun_replays_the_figures_and_people_it_would_compute(tmp_path, monkeypatch):
    workdir = team_folder(tmp_path, 25, ORG, {"employees": EMPLOYEES})
    computing = Computing(monkeypatch)
    first = _run(workdir)
    made, messages = _manifest(workdir), _outbox(workdir)
    assert computing.loads == 1 and first.exit_code == 3  # Sara's address is bad
    assert len(messages) == 4 and made["outputs_reused"] is False

    second = _run(workdir)
    assert computing.loads == 1  # nothing loaded, nothing computed
    assert "load" not in second.timings and "metrics" not in second.timings
    again = _manifest(workdir)
    _same_facts(made, again)
    assert again["outputs_reused"] is True
    assert _outbox(workdir) == messages  # the same figures in the same messages, byte for byte
    assert second.exit_code == first.exit_code and second.withheld == {}
    # the screen says what it said, apart from this run's (empty) inbox
    said = [run_summary(r).splitlines() for r in (first, second)]
    assert said[1][0] == said[0][0]
    assert [line for line in said[1] if "headline" in line or "warnings" in line] == [
        line for line in said[0] if "headline" in line or "warnings" in line
    ]
    assert "  headline: Cost €950.00, Revenue €1,750.00, ROI % 84.2%" in said[1]


def _edit_manifest(workdir: WorkDir, edit, reseal: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Edit the manifest by hand; `reseal`: as if its run had written it so."""
    path = workdir.out / PERIOD / "manifest.json"
    content = json.loads(path.read_text(encoding="utf-8"))
    edit(content)
    if reseal:
        content[SEAL] = seal(content)
    path.write_text(json.dumps(content), encoding="utf-8")


def test_what_the_manifest_lacks_is_computed_afresh(tmp_path, monkeypatch):
    workdir = team_folder(tmp_path, 25, ORG, {"employees": EMPLOYEES})
    computing = Computing(monkeypatch)
    _run(workdir)
    made, messages = _manifest(workdir), _outbox(workdir)

    # one recipient's figures missing (their message could not be built): no guessing
    _edit_manifest(workdir, lambda c: c["headlines"].pop("employee:Aino Virtanen|en"), True)
    _run(workdir)
    assert computing.loads == 2
    _same_facts(made, _manifest(workdir))
    assert _outbox(workdir) == messages

    # no overview, no seal (written before replays existed)
    _edit_manifest(workdir, lambda c: [c.pop("overview"), c.pop(SEAL)])
    _run(workdir)
    assert computing.loads == 3 and _manifest(workdir)["overview"] == made["overview"]

    # not the shape this version writes
    _edit_manifest(workdir, lambda c: c["overview"].update(totals=[]), True)
    _run(workdir)
    _edit_manifest(workdir, lambda c: c.update(recipients=[]), True)
    _run(workdir)
    _edit_manifest(workdir, lambda c: c["overview"]["totals"].pop("cost"), True)
    _run(workdir)
    assert computing.loads == 6 and _manifest(workdir)["overview"] == made["overview"]

    # killed before its checks: the outputs are reused, checked again, the rest computed
    _edit_manifest(workdir, lambda c: c.pop("withheld"))
    _run(workdir)
    assert computing.loads == 7
    _same_facts(made, _manifest(workdir))

    _run(workdir)  # whole again: replayed
    assert computing.loads == 7


def test_facts_edited_by_hand_are_not_replayed(tmp_path, monkeypatch):
    """A valid address and figures typed into the manifest are not mailed: its run sealed
    what it recorded, and the rerun computes them again."""
    workdir = team_folder(tmp_path, 25, ORG, {"employees": EMPLOYEES})
    computing = Computing(monkeypatch)
    _run(workdir)
    made, messages = _manifest(workdir), _outbox(workdir)

    def forge(content: dict) -> None:
        content["recipients"]["from_sheets"][0]["email"] = "someone@example.org"
        for figures in content["headlines"].values():
            figures["ROI %"] = "999%"

    _edit_manifest(workdir, forge)
    _run(workdir)
    assert computing.loads == 2
    _same_facts(made, _manifest(workdir))
    assert _outbox(workdir) == messages


def test_each_recipients_language_and_a_changed_people_file_or_config(tmp_path, monkeypatch):
    employees = [
        [*row, "Language"] if i == 0 else [*row, "fi" if i == 1 else None]
        for i, row in enumerate(EMPLOYEES)
    ]
    people = 'stakeholders_file = "recipients.csv"\n'
    workdir = team_folder(tmp_path, 25, ORG + people, {"employees": employees})
    write_csv(
        workdir.root / "recipients.csv",
        [["Name", "Email", "Scope"], ["Cfo", "cfo@example.com", "all"]],
    )
    computing = Computing(monkeypatch)
    _run(workdir)
    made, messages = _manifest(workdir), _outbox(workdir)
    assert "employee:Aino Virtanen|fi" in made["headlines"] and "all|en" in made["headlines"]
    _run(workdir)
    assert computing.loads == 1 and _outbox(workdir) == messages  # Aino's in Finnish

    # the people file is read on every run, not stored: its new version is computed
    write_csv(
        workdir.root / "recipients.csv",
        [["Name", "Email", "Scope"], ["Cfo", "cfo2@example.com", "all"]],
    )
    _run(workdir)
    assert computing.loads == 2
    assert "cfo2@example.com" in {d["email"] for d in _manifest(workdir)["deliveries"]}
    _run(workdir)
    assert computing.loads == 2

    text = workdir.config.read_text(encoding="utf-8")
    workdir.config.write_text(
        text.replace('title = "Sales ROI"', 'title = "Team ROI"'), encoding="utf-8"
    )
    _run(workdir)
    assert computing.loads == 3 and _manifest(workdir)["overview"]["title"] == "Team ROI"


def test_a_new_employees_sheet_is_computed_not_replayed(tmp_path, monkeypatch):
    workdir = team_folder(tmp_path, 25, ORG, {"employees": EMPLOYEES})
    computing = Computing(monkeypatch)
    _run(workdir)
    fixed = [
        row if row[0] != "Sara Ahmadi" else [*row[:1], "sara@example.com", *row[2:]]
        for row in EMPLOYEES
    ]
    write_workbook(workdir.inbox / "people.xlsx", {"employees": fixed})
    result = _run(workdir)
    assert computing.loads == 2 and result.exit_code == 0
    assert "sara@example.com" in {d["email"] for d in _manifest(workdir)["deliveries"]}


def test_a_replayed_run_reads_no_rows(tmp_path: Path, monkeypatch):
    workdir = team_folder(tmp_path, 25, ORG, {"employees": EMPLOYEES})
    _run(workdir)

    def no_rows(*args: object) -> None:
        raise AssertionError("a replay reads no stored rows")

    monkeypatch.setattr(monthly.Store, "load_all", no_rows)
    monkeypatch.setattr(monthly, "build_report_model", no_rows)
    assert _run(workdir).exit_code == 3
