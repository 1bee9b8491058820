"""`kill -9` of a running job: none of its processes outlive it, and the next run removes
what it left behind (staging folders, temp files) and completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from roi_reports.jobs.workdir import WorkDir
from tests.test_run import PERIOD, make_workdir, manifest, run_job

ALL_REPORTS = '["all", "channel", "employee"]'  # ten reports: rendering takes a while


def start_job(workdir: WorkDir, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "roi_reports.cli", "run", "--dir", str(workdir.root)]
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [*command, "--period", PERIOD, "--no-send", "--verbose"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_for_pdf_workers(
    job: subprocess.Popen[bytes],
    timeout_s: float = 300,
    until: Callable[[], bool] = lambda: True,
) -> list:
    """The job's descendants once a PDF worker is running: a grandchild (forked by the
    forkserver) or a spawned child; and once `until()` holds, if given."""
    parent = psutil.Process(job.pid)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert job.poll() is None, "the job ended before its PDF workers were seen"
        descendants = parent.children(recursive=True)
        if any(_is_pool_worker(p, job.pid) for p in descendants) and until():
            return descendants
        time.sleep(0.1)
    raise AssertionError("no PDF worker appeared")


def _is_pool_worker(process: psutil.Process, job_pid: int) -> bool:
    try:
        return process.ppid() != job_pid or "spawn_main" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.pdf
@pytest.mark.slow
def test_killed_run_leaves_no_process_and_the_next_run_cleans_up(tmp_path):
    workdir = make_workdir(tmp_path, ALL_REPORTS)
    job = start_job(workdir, tmp_path / "job.log")
    staging = workdir.out / f".{PERIOD}.staging-{job.pid}"
    # the PDF workers start while the job still computes the totals: wait for the outputs
    descendants = wait_for_pdf_workers(job, until=staging.is_dir)
    assert len(descendants) >= 2  # at least the forkserver (or tracker) and one worker

    os.kill(job.pid, signal.SIGKILL)
    job.wait()
    _, alive = psutil.wait_procs(descendants, timeout=20)
    survivors = [(p.pid, " ".join(p.cmdline())[:80]) for p in alive]
    for process in alive:  # leave nothing behind even when the test fails
        process.kill()
    assert survivors == []

    assert staging.is_dir()  # the kill came while the outputs were being made
    # what a job killed while storing a file, or writing a file atomically, leaves
    store_leftover = workdir.store / f".{'a' * 64}.{job.pid}.tmp"
    (store_leftover / "results").mkdir(parents=True)
    (store_leftover / "results" / "part.parquet").write_bytes(b"PAR1")
    # … or a read worker of a job killed while writing a file's tables ahead
    half_written = workdir.store / f".{'c' * 64}.{job.pid}.part.tmp"
    half_written.mkdir()
    temp_file = workdir.quarantine / f".bad.csv.errors.csv.{dead_pid()}-0a1b2c.tmp"
    temp_file.write_text("half", encoding="utf-8")
    # a folder of a process that still runs (this test) is not a leftover: it stays
    running = workdir.store / f".{'b' * 64}.{os.getpid()}.tmp"
    running.mkdir()

    rerun = run_job(workdir)
    assert rerun.returncode == 0, rerun.stderr
    assert not staging.exists()
    assert not store_leftover.exists() and not half_written.exists()
    assert not temp_file.exists()
    assert running.is_dir()
    assert sorted(p.name for p in workdir.out.iterdir()) == [PERIOD]
    assert len([o for o in manifest(workdir)["outputs"] if o["kind"] == "pdf"]) == 10


POOL_CHILD = """
import os, sys, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from roi_reports.lifeline import die_with

def worker_pid():
    return os.getpid()

if __name__ == "__main__":
    context = multiprocessing.get_context(sys.argv[1])
    pool = ProcessPoolExecutor(2, mp_context=context, initializer=die_with,
                               initargs=(os.getpid(),))
    print(pool.submit(worker_pid).result(), flush=True)
    pool.submit(time.sleep, 600)
    time.sleep(600)
"""


@pytest.mark.parametrize("start_method", ["forkserver", "spawn"])
def test_pool_workers_die_with_their_job(tmp_path, start_method):
    script = tmp_path / "job.py"
    script.write_text(POOL_CHILD, encoding="utf-8")
    job = subprocess.Popen(
        [sys.executable, str(script), start_method], stdout=subprocess.PIPE, text=True
    )
    worker = psutil.Process(int(job.stdout.readline()))
    descendants = psutil.Process(job.pid).children(recursive=True)
    assert worker in descendants
    os.kill(job.pid, signal.SIGKILL)
    job.wait()
    job.stdout.close()
    _, alive = psutil.wait_procs(descendants, timeout=20)
    for process in alive:
        process.kill()
    assert alive == []
