"""The inbox's files read and typed several at once, in worker processes.

Reading a workbook is CPU-bound and holds the GIL (calamine parses the sheet XML, pandas
types the cells), so threads do not help; a drop of several large files is read by a
pool of processes, one file each, and each file's tables come back in the drop's order.
A small drop is read here: starting workers would cost more than it saves.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from roi_reports.config import Config
from roi_reports.ingest.dataset import FileTables, read_raw, type_tables
from roi_reports.lifeline import die_with
from roi_reports.workers import worker_context

PARALLEL_BYTES = 8 * 1024 * 1024  # a drop smaller than this is read in this process


Timings = dict[str, float]


def read_one(path: Path, config: Config) -> tuple[FileTables, Timings]:
    """One file's tables, and the seconds its reading and its typing took."""
    start = time.perf_counter()
    raw = read_raw(path, config)
    typed = time.perf_counter()
    tables = type_tables(path, raw, config)
    return tables, {"read": typed - start, "validate": time.perf_counter() - typed}


def read_files(
    paths: Sequence[Path], config: Config, timings: Timings, workers: int | None = None
) -> Iterator[FileTables]:
    """Each file's tables, in the order of `paths`; in parallel when it pays.

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
        futures = [pool.submit(read_one, path, config) for path in paths]
        for path, future in zip(paths, futures, strict=True):
            try:
                tables, _ = future.result()
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
