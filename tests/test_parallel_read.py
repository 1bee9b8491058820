"""A drop of several files is read by worker processes at once, with the same tables.

Reading is CPU-bound and holds the GIL, so `jobs/reading.py` reads large drops one file
per worker process; what comes back must be exactly what reading here gives, in the
drop's order, and a worker that dies must cost nothing but the time to read again.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from roi_reports import store as store_module
from roi_reports.config import Config
from roi_reports.jobs import reading
from roi_reports.jobs.inbox import ingest
from roi_reports.jobs.reading import read_files
from roi_reports.jobs.workdir import init_workdir
from roi_reports.store import Store
from tests.helpers import RESULTS_HEADER, write_csv, write_workbook

ROW = ["2026-10-05", "LinkedIn", "Autumn push", "Aino Virtanen", 10, 1, 100, 40, "EUR"]


def _drop(folder: Path) -> list[Path]:
    """Three files: two good ones (xlsx, csv) and one with an error in row 3."""
    # every seventh row names no campaign: a missing text must come back missing
    rows = [
        RESULTS_HEADER,
        *([*ROW[:2], ROW[2] if i % 7 else "", f"Person {i}", *ROW[4:]] for i in range(300)),
    ]
    bad = [RESULTS_HEADER, ROW, [*ROW[:4], "many", *ROW[5:]]]
    return [
        write_workbook(folder / "a.xlsx", {"results": rows}),
        write_csv(folder / "b.csv", bad),
        write_csv(folder / "c.csv", rows[:50]),
    ]


def _same(got: list, expected: list) -> None:
    assert [t.name for t in got] == [t.name for t in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.problems == theirs.problems and mine.notes == theirs.notes
        assert mine.frames.keys() == theirs.frames.keys()
        for kind, frame in mine.frames.items():
            pd.testing.assert_frame_equal(frame, theirs.frames[kind])


def test_files_read_in_worker_processes_give_the_tables_read_here(tmp_path, monkeypatch):
    paths, config = _drop(tmp_path), Config()
    here: dict[str, float] = {}
    expected = list(read_files(paths, config, here, workers=1))
    assert set(here) == {"read", "validate"}
    assert any(p.row == 3 for t in expected for p in t.problems)  # the bad file's error
    assert expected[0].frames["results"]["campaign"].isna().sum() == 43
    monkeypatch.setattr(reading, "PARALLEL_BYTES", 0)  # a small drop, read as a large one
    workers: dict[str, float] = {}
    _same(list(read_files(paths, config, workers, workers=2)), expected)
    assert set(workers) == {"read"}  # typing ran in the workers, inside that wall time


def test_a_worker_that_dies_costs_only_a_second_read(tmp_path, monkeypatch):
    paths, config = _drop(tmp_path), Config()
    expected = list(read_files(paths, config, {}, workers=1))

    class DyingPool(ProcessPoolExecutor):
        """Every worker dies, as under the kernel's out-of-memory killer."""

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
            future: Future = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future

    monkeypatch.setattr(reading, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(reading, "ProcessPoolExecutor", DyingPool)
    _same(list(read_files(paths, config, {}, workers=2)), expected)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_gone_before_its_reading_is_its_own_problem(tmp_path, monkeypatch, workers):
    paths = _drop(tmp_path)
    monkeypatch.setattr(reading, "PARALLEL_BYTES", 0)
    paths[1].unlink()
    tables = list(read_files(paths, Config(), {}, workers=workers))
    assert [t.name for t in tables] == ["a.xlsx", "b.csv", "c.csv"]
    assert tables[1].problems and "not found" in tables[1].problems[0].hint


def test_the_time_a_caller_spends_between_files_is_not_reading(tmp_path, monkeypatch):
    paths = _drop(tmp_path)
    monkeypatch.setattr(reading, "PARALLEL_BYTES", 0)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    for _ in read_files(paths, Config(), timings, workers=2):
        time.sleep(1.0)  # the caller stores the file, say
    wall = time.perf_counter() - start
    assert timings["read"] < wall - 2.5  # none of the three seconds spent between files


def _stored(store: Store) -> dict[tuple[str, str], pd.DataFrame]:
    return {
        (f.name, kind): frame
        for f in store.files()
        for kind, frame in store.load(f.name).frames.items()
    }


def test_files_read_in_workers_are_stored_by_them_the_same(tmp_path, monkeypatch):
    """The workers write each file's Parquet ahead; the job only renames it into place,
    and the store holds what the job would have written; a quarantined file's tables
    are not left behind."""
    here, there = (init_workdir(tmp_path / name) for name in ("here", "there"))
    costs = [["date", "channel", "amount", "currency"], ["2026-10-01", "LinkedIn", 100, "SEK"]]
    # written once and copied: a workbook written a second later has other bytes (its
    # timestamp), so another hash and another store folder name
    files = [*_drop(tmp_path), write_csv(tmp_path / "d.csv", costs)]
    for workdir in (here, there):
        for sample in workdir.inbox.iterdir():
            sample.unlink()
        for path in files:  # d.csv is sound alone, so a worker writes it ahead; no file
            shutil.copy2(path, workdir.inbox / path.name)  # has a SEK rate: quarantined
    now = datetime(2026, 11, 2, 6, 0)
    ingest(here, Config(), now)
    monkeypatch.setattr(reading, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # workers even on a one-core machine
    # the job itself cannot write Parquet now: whatever is stored, a worker wrote
    monkeypatch.setattr(store_module, "write_tables", _no_writing)
    summary = ingest(there, Config(), now)
    assert [q.name for q in summary.quarantined] == ["b.csv", "d.csv"]
    assert [a.name for a in summary.accepted] == ["a.xlsx", "c.csv"]
    mine, theirs = _stored(Store(there.store)), _stored(Store(here.store))
    assert mine.keys() == theirs.keys()
    for key, frame in mine.items():
        pd.testing.assert_frame_equal(frame, theirs[key])
    assert sorted(p.name for p in there.store.iterdir()) == sorted(
        p.name for p in here.store.iterdir()
    )  # the hashes' folders and index.json, no staging folder


def _no_writing(*args: object) -> None:
    raise AssertionError("the job wrote a file's tables that a worker had written")


def test_the_store_writes_a_file_a_worker_did_not(tmp_path):
    """Tables not written ahead (read in this process, or the worker could not write)
    are written by the store itself, whole or not at all."""
    workdir = init_workdir(tmp_path / "team")
    store = Store(workdir.store)
    [tables] = read_files(_drop(tmp_path)[:1], Config(), {}, workers=1)
    leftover = store.staging("f" * 64).with_name(f".{'f' * 64}.{os.getpid()}.part.tmp")
    leftover.mkdir()  # a half-written folder of a worker that died
    store.put(tables, "f" * 64, "archive/a.xlsx", datetime(2026, 11, 2))
    assert not leftover.exists() and not store.staging("f" * 64).exists()
    assert len(store.load(tables.name).frames["results"]) == 300


def test_a_worker_that_cannot_write_ahead_still_returns_the_tables(tmp_path):
    """Writing ahead is a saving, never a failure: the job writes what a worker could not,
    and says why if it cannot either (a full disk, say)."""
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    path = _drop(tmp_path)[0]
    tables, _ = reading.read_one(path, Config(), blocked / f".{'e' * 64}.1.tmp")
    assert len(tables.frames["results"]) == 300 and not tables.problems
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
