"""The monthly job end to end: init → drop files → run, reruns, bad files, locks, crashes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from roi_reports import compute_metrics, load_dataset
from roi_reports.config import load_config
from roi_reports.fsutil import sha256_file
from roi_reports.jobs.checkpoints import CRASH_VARIABLE
from roi_reports.jobs.lock import job_lock
from roi_reports.jobs.workdir import WorkDir
from roi_reports.reports.formatting import format_metric
from roi_reports.store import Store
from tests.helpers import RESULTS_HEADER, pdf_text, run_cli, write_csv
from tests.smtp_server import Received, RecordingHandler, attachment_names, smtp_server

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"
PERIOD = "2026-10"

pytestmark = pytest.mark.pdf


def make_workdir(tmp_path: Path, pdf_scopes: str = '["all"]') -> WorkDir:
    root = tmp_path / "team"
    assert run_cli("init", str(root)).exit_code == 0
    workdir = WorkDir(root)
    text = workdir.config.read_text(encoding="utf-8")
    workdir.config.write_text(
        text.replace("[output]\n", f"[output]\npdf_scopes = {pdf_scopes}\n"), encoding="utf-8"
    )
    return workdir


def run_job(workdir: WorkDir, *extra: str, env: dict[str, str] | None = None):
    """The job as cron runs it: a separate process."""
    command = [sys.executable, "-m", "roi_reports.cli", "run", "--dir", str(workdir.root)]
    return subprocess.run(
        [*command, "--period", PERIOD, "--no-send", "--quiet", *extra],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=300,
    )


def manifest(workdir: WorkDir) -> dict:
    return json.loads((workdir.out / PERIOD / "manifest.json").read_text(encoding="utf-8"))


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def assert_complete_run(workdir: WorkDir) -> None:
    """Outputs exist, match the manifest, and no staging leftovers remain."""
    out = workdir.out / PERIOD
    content = manifest(workdir)
    for output in content["outputs"]:
        assert sha256_file(out / output["path"]) == output["sha256"]
    assert {o["kind"] for o in content["outputs"]} == {"xlsx", "pdf"}
    assert not [p for p in workdir.out.iterdir() if p.name.startswith(".")]
    assert list(workdir.inbox.iterdir()) == []


def test_first_run_builds_outputs_that_match_the_engine(tmp_path):
    workdir = make_workdir(tmp_path)
    result = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--no-send")
    assert result.exit_code == 0, result.output
    assert f"period {PERIOD}" in result.output and "manifest:" in result.output

    out = workdir.out / PERIOD
    assert (out / f"roi-summary-{PERIOD}.xlsx").is_file()
    assert (out / "pdf" / "executive-summary.pdf").is_file()
    assert_complete_run(workdir)
    archived = list((workdir.archive).rglob("roi-sample.xlsx"))
    assert len(archived) == 1 and sha256_file(archived[0]) == sha256_file(SAMPLE)

    content = manifest(workdir)
    assert content["period"] == PERIOD and content["version"]
    assert content["inputs"][0]["sha256"] == sha256_file(SAMPLE)
    assert content["inputs"][0]["rows"]["results"] > 0
    assert set(content["timings_s"]) >= {"ingest", "metrics", "render"}

    config = load_config(workdir.config)  # the working folder's settings
    expected = compute_metrics(
        load_dataset([SAMPLE], config), config, by=("channel",), period=PERIOD
    )
    sheet = load_workbook(out / f"roi-summary-{PERIOD}.xlsx", data_only=True)["By channel"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    for revenue in expected["revenue"]:
        assert any(isinstance(c, float | int) and abs(c - revenue) < 1e-6 for c in cells)
    assert list(workdir.logs.glob("run-*.log"))


def test_rerun_rebuilds_the_same_numbers_and_reads_nothing_twice(tmp_path):
    workdir = make_workdir(tmp_path)
    assert run_job(workdir).returncode == 0
    first = manifest(workdir)
    result = run_job(workdir)
    assert result.returncode == 0, result.stderr
    second = manifest(workdir)
    assert second["this_run"]["accepted"] == []
    assert second["inputs"] == first["inputs"]
    assert [o["path"] for o in second["outputs"]] == [o["path"] for o in first["outputs"]]
    assert len(Store(workdir.store).files()) == 1


def test_same_file_dropped_again_is_noted_not_read(tmp_path):
    workdir = make_workdir(tmp_path)
    assert run_job(workdir).returncode == 0
    shutil.copyfile(SAMPLE, workdir.inbox / "copy-of-sample.xlsx")
    assert run_job(workdir).returncode == 0
    duplicates = manifest(workdir)["this_run"]["duplicates"]
    assert duplicates == [{"file": "copy-of-sample.xlsx", "same_as": "roi-sample.xlsx"}]
    assert len(Store(workdir.store).files()) == 1
    assert len(list(workdir.archive.rglob("*.xlsx"))) == 2  # nothing deleted


def test_new_version_of_a_file_replaces_its_rows(tmp_path):
    workdir = make_workdir(tmp_path)
    extra = [["2026-10-15", "Webinars", "Autumn", "Aino Virtanen", 10, 2, 5000, "", ""]]
    write_csv(workdir.inbox / "webinars.csv", [RESULTS_HEADER, *extra])
    assert run_job(workdir).returncode == 0
    before = manifest(workdir)
    extra[0][6] = 7000
    write_csv(workdir.inbox / "webinars.csv", [RESULTS_HEADER, *extra])
    assert run_job(workdir).returncode == 0
    after = manifest(workdir)
    webinar = next(i for i in after["inputs"] if i["file"] == "webinars.csv")
    assert [v["sha256"] for v in webinar["replaced_versions"]] == [
        next(i for i in before["inputs"] if i["file"] == "webinars.csv")["sha256"]
    ]
    accepted = after["this_run"]["accepted"]
    assert accepted[0]["name"] == "webinars.csv" and accepted[0]["replaced"]


def test_invalid_file_is_quarantined_and_the_run_exits_3(tmp_path):
    workdir = make_workdir(tmp_path)
    bad = [["2026-10-15", "Webinars", "Autumn", "Aino", "many", 2, 5000, "", ""]]
    write_csv(workdir.inbox / "broken.csv", [RESULTS_HEADER, *bad])
    result = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--no-send")
    assert result.exit_code == 3, result.output
    assert "QUARANTINE broken.csv" in result.output
    assert (workdir.quarantine / "broken.csv").is_file()
    errors = (workdir.quarantine / "broken.csv.errors.csv").read_text(encoding="utf-8")
    assert "contacts" in errors and "many" in errors
    assert (workdir.out / PERIOD / f"roi-summary-{PERIOD}.xlsx").is_file()
    assert manifest(workdir)["this_run"]["quarantined"][0]["name"] == "broken.csv"


def test_second_job_in_the_same_folder_is_refused(tmp_path):
    workdir = make_workdir(tmp_path)
    with job_lock(workdir.lock):
        result = run_job(workdir)
    assert result.returncode == 1
    assert "another roi-reports job is running" in result.stderr
    assert (workdir.inbox / "roi-sample.xlsx").is_file()  # untouched


def test_period_without_data_is_a_clear_error(tmp_path):
    workdir = make_workdir(tmp_path)
    result = run_cli("run", "--dir", str(workdir.root), "--period", "2024-01", "--no-send")
    assert result.exit_code == 1
    assert "no results or costs for period 2024-01" in result.output


def test_folder_that_is_not_a_working_folder(tmp_path):
    result = run_cli("run", "--dir", str(tmp_path))
    assert result.exit_code == 1 and "roi-reports init" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["ingest-stored", "quarantine-listed", "rendered"])
def test_killed_job_loses_nothing_and_a_rerun_completes(tmp_path, stage):
    workdir = make_workdir(tmp_path)
    bad = [["2026-10-15", "Webinars", "Autumn", "Aino", "many", 2, 5000, "", ""]]
    write_csv(workdir.inbox / "broken.csv", [RESULTS_HEADER, *bad])
    inputs = {p.name: sha256_file(p) for p in workdir.inbox.iterdir()}

    crashed = run_job(workdir, env={CRASH_VARIABLE: stage})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    rerun = run_job(workdir)
    # exit 3 reports this run's quarantined file; earlier stages quarantined it already
    assert rerun.returncode == (3 if stage == "quarantine-listed" else 0), rerun.stderr
    assert_complete_run(workdir)
    kept = {
        p.name: sha256_file(p)
        for folder in (workdir.archive, workdir.quarantine)
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(".errors.csv")
    }
    assert kept == inputs  # every input exactly once, byte for byte
    assert [f.name for f in Store(workdir.store).files()] == ["roi-sample.xlsx"]


def dataset_total_revenue(dataset, config) -> float:
    return float(compute_metrics(dataset, config, period=PERIOD).iloc[0]["revenue"])


def stakeholder_config(workdir: WorkDir, port: int | None = None) -> None:
    """The demo's three stakeholders; with a port, sending through the test server."""
    stakeholders = (REPO / "sample_data" / "demo-stakeholders.toml").read_text(encoding="utf-8")
    if port is not None:
        stakeholders = stakeholders.replace(
            "[email]\n", f'[email]\nhost = "127.0.0.1"\nport = {port}\nretry_delay_s = 0.1\n'
        )
    with workdir.config.open("a", encoding="utf-8") as handle:
        handle.write(stakeholders)


def test_stakeholders_get_their_reports_once_through_a_real_smtp_server(tmp_path):
    workdir = make_workdir(tmp_path)
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        args = ("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
        first = run_cli(*args)
        assert first.exit_code == 0, first.output
        assert "3 sent" in first.output
        got = {r.rcpt_tos[0]: attachment_names(r.message) for r in handler.messages}
        assert got == {
            "leena.laine@example.com": ["executive-summary.pdf", f"roi-summary-{PERIOD}.xlsx"],
            "aino.virtanen@example.com": ["employee-aino-virtanen.pdf"],
            "sara.ahmadi@example.com": ["channel-linkedin.pdf"],
        }
        # the stakeholders' reports are rendered even though pdf_scopes is only "all"
        assert run_cli(*args).exit_code == 0
        assert len(handler.messages) == 3  # a rerun sends nothing
        assert run_cli(*args, "--force").exit_code == 0
        assert len(handler.messages) == 6
    deliveries = manifest(workdir)["deliveries"]
    assert {d["status"] for d in deliveries} == {"sent"}
    assert all(d["message_id"] for d in deliveries)


def test_refused_delivery_is_reported_and_exits_3(tmp_path):
    workdir = make_workdir(tmp_path)
    handler = RecordingHandler(answers=["550 5.1.1 Mailbox unavailable"])
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        result = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
        assert result.exit_code == 3, result.output
        assert "FAILED" in result.output and "550" in result.output
        failed = [d for d in manifest(workdir)["deliveries"] if d["status"] == "failed"]
        assert len(failed) == 1 and failed[0]["attempts"] == 1
        assert len(handler.messages) == 2  # the others still got theirs
        # the rerun after the failure sends to the one who did not get theirs, nobody else
        again = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
        assert again.exit_code == 0, again.output
    assert len(handler.messages) == 3
    assert handler.messages[2].rcpt_tos == [failed[0]["email"]]


def test_dry_run_writes_the_messages_to_the_outbox(tmp_path):
    workdir = make_workdir(tmp_path)
    stakeholder_config(workdir)
    result = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD)  # enabled = false
    assert result.exit_code == 0, result.output
    written = sorted((workdir.outbox / PERIOD).glob("*.eml"))
    assert len(written) == 3
    # Aino reads Finnish: her report is made in Finnish too, beside the English one
    finnish = workdir.out / PERIOD / "pdf" / "fi" / "employee-aino-virtanen.pdf"
    assert (workdir.out / PERIOD / "pdf" / "employee-aino-virtanen.pdf").is_file()
    assert "Liikevaihto" in pdf_text(finnish)
    pdf = finnish.read_bytes()
    message = next(Received("", [], p.read_bytes()).message for p in written if "aino" in p.name)
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content() == pdf
    # her own figures, in her language (fi), as her row of the team's workbook shows them
    config = load_config(workdir.config)
    dataset = load_dataset([next(workdir.archive.rglob("roi-sample.xlsx"))], config)
    mine = compute_metrics(dataset, config, by=("employee",), period=PERIOD)
    revenue = mine.loc[mine["employee"] == "Aino Virtanen", "revenue"].iloc[0]
    body = message.get_body(("plain",)).get_content()
    assert format_metric("revenue", revenue, "EUR", "fi") in body
    assert format_metric("revenue", dataset_total_revenue(dataset, config), "EUR", "fi") not in body
    assert {d["status"] for d in manifest(workdir)["deliveries"]} == {"written"}


def test_only_invalid_files_names_them_in_the_error(tmp_path):
    workdir = make_workdir(tmp_path)
    (workdir.inbox / "roi-sample.xlsx").unlink()
    bad = [["2026-10-15", "Webinars", "Autumn", "Aino", "many", 2, 5000, "", ""]]
    write_csv(workdir.inbox / "broken.csv", [RESULTS_HEADER, *bad])
    result = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--no-send")
    assert result.exit_code == 1
    assert "quarantined (quarantine/broken.csv)" in result.output
    assert (workdir.quarantine / "broken.csv.errors.csv").is_file()


def test_manifest_is_published_with_the_outputs_before_delivery(tmp_path):
    """Killed while emailing: out/<period>/ still has a manifest listing its files."""
    workdir = make_workdir(tmp_path)
    stakeholder_config(workdir)
    crashed = run_job(workdir, env={CRASH_VARIABLE: "delivering"})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    content = manifest(workdir)
    assert content["deliveries"] == "pending"
    for output in content["outputs"]:
        assert sha256_file(workdir.out / PERIOD / output["path"]) == output["sha256"]
    assert run_job(workdir).returncode == 0
    assert {d["status"] for d in manifest(workdir)["deliveries"]} == {"written"}
