"""Killing the monthly job while it emails 200 people, then rerunning: each gets one message.

The job runs as cron runs it, a separate process (`python -m roi_reports.cli run --send`),
sending through the real aiosmtpd server on 127.0.0.1. The server holds its answer at one
phase of one message ("stall"), and the test kills the job with SIGKILL while it waits
there, then runs it again:
- at DATA (the 354), the message was not handed over: the rerun sends it;
- at the end of DATA (the server kept the message and had not answered), it is "possibly
  sent": the rerun names it and does not send it again.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from roi_reports.jobs.workdir import WorkDir
from tests.email_setup import people
from tests.helpers import run_cli
from tests.smtp_server import Fault, RecordingHandler, smtp_server

pytestmark = [pytest.mark.pdf, pytest.mark.slow]
PERIOD = "2026-10"
COUNT = 200


def make_workdir(tmp_path: Path, port: int) -> WorkDir:
    """A working folder (sample data) whose 200 stakeholders all get the executive summary."""
    root = tmp_path / "team"
    assert run_cli("init", str(root)).exit_code == 0
    workdir = WorkDir(root)
    text = workdir.config.read_text(encoding="utf-8")
    text = text.replace("[output]\n", '[output]\npdf_scopes = ["all"]\n')
    text += f"""
[email]
enabled = true
host = "127.0.0.1"
port = {port}
sender = "reports@example.com"
retry_delay_s = 0.05
throttle_pause_s = 0.05

"""
    for person in people(COUNT):
        text += f'\n[[stakeholders]]\nname = "{person["name"]}"\nemail = "{person["email"]}"\n'
    workdir.config.write_text(text, encoding="utf-8")
    return workdir


def job_command(workdir: WorkDir) -> list[str]:
    run = ["run", "--dir", str(workdir.root), "--period", PERIOD, "--send", "--quiet"]
    return [sys.executable, "-m", "roi_reports.cli", *run]


def kill_when_stalled(job: subprocess.Popen[str], handler: RecordingHandler) -> None:
    """SIGKILL the job while the server holds its answer."""
    deadline = time.monotonic() + 600
    while not handler.stalled.wait(0.01):
        assert job.poll() is None, f"the job ended before the kill: {job.communicate()}"
        assert time.monotonic() < deadline, "the server was not reached in 10 minutes"
    job.send_signal(signal.SIGKILL)
    job.wait(timeout=60)


@pytest.mark.parametrize(("phase", "message"), [("DATA", 117), ("END", 150)])
def test_killed_while_sending_200_then_rerun_mails_everyone_exactly_once(tmp_path, phase, message):
    handler = RecordingHandler(faults=[Fault(phase, "stall", after=message - 1)])
    with smtp_server(handler) as server:
        workdir = make_workdir(tmp_path, server.port)
        job = subprocess.Popen(
            job_command(workdir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        kill_when_stalled(job, handler)
        assert job.returncode == -signal.SIGKILL
        killed_at = len(handler.messages)
        assert killed_at == (message if phase == "END" else message - 1)
        rerun = subprocess.run(
            job_command(workdir), capture_output=True, text=True, timeout=600, check=False
        )
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    received = Counter(to for message in handler.messages for to in message.rcpt_tos)
    assert sorted(received) == [p["email"] for p in people(COUNT)]
    assert set(received.values()) == {1}, "nobody got a second copy"
    manifest = json.loads((workdir.out / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    statuses = Counter(d["status"] for d in manifest["deliveries"])
    assert statuses["sent"] == COUNT - killed_at
    assert statuses["already-sent"] + statuses["possibly-sent"] == killed_at
    assert statuses["possibly-sent"] == (1 if phase == "END" else 0)
