"""The inbox's files read and typed several at once, in worker processes.

Reading a workbook is CPU-bound and holds the GIL (calamine parses the sheet XML, pandas
types the cells), so threads do not help; a drop of several large files is read by a
pool of processes, one file each, and each file's tables come back in the drop's order.
A small drop is read here: starting workers would cost more than it saves.

A worker also writes the file's tables as the store keeps them, into the store's staging
folder for it: Parquet writing then runs on every core while the files are read, rather
than in the job alone afterwards (about a quarter of a second a 250,000-row file). A file
that is not stored after all (quarantined, changed meanwhile) has that folder removed.
The tables travel back to the job packed (`handoff`): the texts repeated on every row
once each, which halves what the job reads off the pipe while the worker waits.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from roi_reports.config import Config
from roi_reports.ingest.dataset import FileTables, read_raw, type_tables
from roi_reports.jobs.handoff import PackedTables, pack_tables, unpack_tables
from roi_reports.lifeline import die_with
from roi_reports.store import write_tables
from roi_reports.workers import worker_context

log = logging.getLogger("roi_reports.reading")

PARALLEL_BYTES = 8 * 1024 * 1024  # a drop smaller than this is read in this process


Timings = dict[str, float]


def read_one(
    path: Path, config: Config, stage_in: Path | None = None
) -> tuple[FileTables, Timings]:
    """One file's tables, and the seconds its reading and its typing took; with
    `stage_in`, its tables written there too (`store.write_tables`) unless it has errors."""
    start = time.perf_counter()
    raw = read_raw(path, config)
    typed = time.perf_counter()
    tables = type_tables(path, raw, config)
    took = {"read": typed - start, "validate": time.perf_counter() - typed}
    if stage_in is not None and not tables.has_errors:
        try:
            write_tables(tables, stage_in)
        except Exception as exc:  # the job writes them itself, and says what went wrong
            log.debug("%s: tables not written ahead (%s)", path.name, exc)
    return tables, took


def read_packed(
    path: Path, config: Config, stage_in: Path | None = None
) -> tuple[PackedTables, Timings]:
    """`read_one` in a read worker: the tables packed for the pipe back (`handoff`)."""
    tables, took = read_one(path, config, stage_in)
    return pack_tables(tables), took


def read_files(
    paths: Sequence[Path],
    config: Config,
    timings: Timings,
    workers: int | None = None,
    stage_in: Sequence[Path] | None = None,
) -> Iterator[FileTables]:
    """Each file's tables, in the order of `paths`; in parallel when it pays.

    `stage_in` (one folder per path): where a file read in a worker gets its tables
    written for the store (module docstring); a file read here is left to the store.

    `timings` gets the seconds of "read" and "validate" (typing). Read in parallel, both
    run in the workers at once, so their wall time all counts as "read".
    A worker that dies (the kernel's out-of-memory killer, say) breaks the pool; the files
    it had not returned are read again here, one by one, as a single process would have
    read them, so such a file ends as that file's problem and never as a failed run.
    """
    workers = min(workers or os.cpu_count() or 1, len(paths))
    if workers < 2 or sum(_size(p) for p in paths) < PARALLEL_BYTES:
        for path in paths:
            tables, took = read_one(path, config)
            _add(timings, took)
            yield tables
        return
    start = time.perf_counter()
    with ProcessPoolExecutor(
        workers, mp_context=worker_context(), initializer=die_with, initargs=(os.getpid(),)
    ) as pool:
        stages: Sequence[Path | None] = stage_in or [None] * len(paths)
        futures = [
            pool.submit(read_packed, path, config, stage)
            for path, stage in zip(paths, stages, strict=True)
        ]
        for path, future in zip(paths, futures, strict=True):
            try:
                tables = unpack_tables(future.result()[0])
            except BrokenProcessPool:
                tables, _ = read_one(path, config)
            _add(timings, {"read": time.perf_counter() - start})
            yield tables
            start = time.perf_counter()  # the time a caller spends between files is its own


def _add(timings: Timings, took: Timings) -> None:
    for phase, seconds in took.items():
        timings[phase] = timings.get(phase, 0.0) + seconds


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # gone: read_raw says so, in its own words
