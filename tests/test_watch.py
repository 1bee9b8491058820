"""`roi-reports watch`: files are ingested once they stop growing; Ctrl-C exits cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from roi_reports.jobs.watch import settled
from roi_reports.jobs.workdir import init_workdir


def test_a_growing_file_is_not_ready(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"a")
    seen: dict = {}
    assert settled([path], seen, 2.0, now=100.0) == []
    assert settled([path], seen, 2.0, now=101.0) == []  # unchanged, but not long enough
    path.write_bytes(b"ab")  # still being copied
    assert settled([path], seen, 2.0, now=103.0) == []
    assert settled([path], seen, 2.0, now=104.0) == []
    assert settled([path], seen, 2.0, now=105.5) == [path]


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_watch_ingests_dropped_files_and_stops_on_ctrl_c(tmp_path):
    workdir = init_workdir(tmp_path / "team")
    sample = next(workdir.inbox.iterdir())
    held = tmp_path / sample.name
    sample.rename(held)  # start with an empty inbox, drop the file later
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "roi_reports.cli",
            "watch",
            "--dir",
            str(workdir.root),
            "--settle",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)
        (workdir.inbox / sample.name).write_bytes(held.read_bytes())
        assert wait_for(
            lambda: (workdir.store / "index.json").exists() and not any(workdir.inbox.iterdir())
        )
        archived = list((workdir.archive).rglob("*.xlsx"))
        assert [p.name for p in archived] == [sample.name]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "accepted   roi-sample.xlsx" in out
    assert "Stopped watching" in out
    assert "Traceback" not in err
