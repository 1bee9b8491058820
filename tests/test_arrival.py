"""A file still being written is never half-read: it is read once it has settled and no
process writes it, and what is stored is exactly the bytes that are archived."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from roi_reports.config import Config
from roi_reports.fsutil import sha256_file
from roi_reports.jobs import reading
from roi_reports.jobs.arrival import open_for_writing
from roi_reports.jobs.inbox import ingest
from roi_reports.jobs.workdir import WorkDir, init_workdir
from roi_reports.store import Store
from tests.test_inbox import NOW
from tests.test_watch import wait_for

HEADER = "date,channel,contacts,conversions,revenue\n"
CHUNKS = 3
ROWS_PER_CHUNK = 1000


def chunk(number: int) -> str:
    day = number + 1
    return "".join(
        f"2026-10-{day:02d},LinkedIn,{row % 50 + 10},{row % 7},{row}.5\n"
        for row in range(ROWS_PER_CHUNK)
    )


class SlowWriter(threading.Thread):
    """Writes a CSV in chunks with pauses, keeping the file open, as a slow copy does."""

    def __init__(self, path: Path, pause_s: float) -> None:
        super().__init__(daemon=True)
        self.path, self.pause_s = path, pause_s
        self.started_writing = threading.Event()

    def run(self) -> None:
        with self.path.open("w", encoding="utf-8") as handle:
            handle.write(HEADER)
            for number in range(CHUNKS):
                handle.write(chunk(number))
                handle.flush()
                self.started_writing.set()
                if number < CHUNKS - 1:
                    time.sleep(self.pause_s)


@pytest.fixture
def workdir(tmp_path) -> WorkDir:
    workdir = init_workdir(tmp_path / "team")
    for sample in workdir.inbox.iterdir():
        sample.unlink()
    return workdir


def stored_rows_and_archive(workdir: WorkDir, name: str) -> tuple[int, str, str]:
    [entry] = [f for f in Store(workdir.store).files() if f.name == name]
    return entry.rows["results"], entry.sha256, sha256_file(workdir.root / entry.archived_as)


def test_a_file_open_for_writing_is_found(tmp_path):
    path = tmp_path / "copying.csv"
    with path.open("w") as handle:
        handle.write(HEADER)
        assert open_for_writing([path]) == [path]
    assert open_for_writing([path]) == []
    with path.open("r"):  # a reader is no writer
        assert open_for_writing([path]) == []


def test_run_waits_for_a_file_still_being_written(workdir):
    writer = SlowWriter(workdir.inbox / "slow.csv", pause_s=0.4)
    writer.start()
    assert writer.started_writing.wait(10)
    summary = ingest(workdir, Config(), NOW, settle_s=0.3, max_wait_s=60)
    writer.join()
    assert [a.name for a in summary.accepted] == ["slow.csv"]
    rows, stored_sha, archived_sha = stored_rows_and_archive(workdir, "slow.csv")
    assert rows == CHUNKS * ROWS_PER_CHUNK
    assert archived_sha == stored_sha


def test_a_file_still_written_after_the_longest_wait_is_left_for_later(workdir):
    path = workdir.inbox / "endless.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + chunk(0))
        handle.flush()
        summary = ingest(workdir, Config(), NOW, settle_s=0.2, max_wait_s=0.5)
    assert summary.waiting == ["endless.csv"]
    assert summary.accepted == [] and summary.quarantined == []
    assert path.read_text(encoding="utf-8") == HEADER + chunk(0)  # untouched, in the inbox
    later = ingest(workdir, Config(), NOW, settle_s=0.0)
    assert [a.name for a in later.accepted] == ["endless.csv"]


def test_a_file_changed_while_it_was_read_is_left_and_read_again(workdir, monkeypatch):
    """A writer that appends between its own opens (invisible to the open-file check)
    adds rows while the file is being read: the second hash catches it."""
    path = workdir.inbox / "growing.csv"
    path.write_text(HEADER + chunk(0), encoding="utf-8")
    real_read = reading.read_raw  # a single small file is read in this process

    def read_while_a_writer_appends(read_path, config):
        read = real_read(read_path, config)
        with read_path.open("a", encoding="utf-8") as handle:
            handle.write(chunk(1))
        return read

    monkeypatch.setattr(reading, "read_raw", read_while_a_writer_appends)
    summary = ingest(workdir, Config(), NOW, settle_s=0.0)
    assert summary.waiting == ["growing.csv"]
    assert summary.accepted == [] and Store(workdir.store).files() == []
    assert path.is_file() and not any(workdir.archive.rglob("*.csv"))

    monkeypatch.setattr(reading, "read_raw", real_read)
    again = ingest(workdir, Config(), NOW, settle_s=0.0)
    assert [a.name for a in again.accepted] == ["growing.csv"]
    rows, stored_sha, archived_sha = stored_rows_and_archive(workdir, "growing.csv")
    assert rows == 2 * ROWS_PER_CHUNK
    assert archived_sha == stored_sha


def test_watch_never_half_reads_a_slow_copy(workdir):
    """The writer pauses longer than the settle time, holding the file open."""
    command = [sys.executable, "-m", "roi_reports.cli", "watch", "--dir", str(workdir.root)]
    process = subprocess.Popen(
        [*command, "--settle", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Watching")  # it watches from now on
        writer = SlowWriter(workdir.inbox / "slow.csv", pause_s=1.5)
        writer.start()
        writer.join()
        assert wait_for(lambda: not any(workdir.inbox.iterdir()), timeout=60)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert "Traceback" not in err
    rows, stored_sha, archived_sha = stored_rows_and_archive(workdir, "slow.csv")
    assert rows == CHUNKS * ROWS_PER_CHUNK, out
    assert archived_sha == stored_sha
    index = json.loads((workdir.store / "index.json").read_text(encoding="utf-8"))
    assert list(index["files"]) == ["slow.csv"]
