"""Leftovers of jobs that were killed: staging folders and temp files whose writer is gone.

Every job writes aside and renames into place, naming what it writes aside after its own
pid: `store/.<sha256>.<pid>.tmp/` and `.part.tmp/` (a file's tables before they appear
whole), `out/.<period>.staging-<pid>/` and `.previous-<pid>/` (a period's outputs before and
during the swap), and `.<name>.<pid>-<random>.tmp` (any file written atomically). A job
killed in between (`kill -9`, power loss, a full disk) leaves them behind. The next job,
holding the working folder's lock, removes those whose process no longer exists. Nothing
else is touched: inputs, archives and published outputs never match these names.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from roi_reports.jobs.workdir import WorkDir
from roi_reports.lifeline import process_alive

log = logging.getLogger("roi_reports.leftovers")

STORE_STAGING = re.compile(r"^\.[0-9a-f]{64}\.(\d+)(?:\.part)?\.tmp$")
OUTPUT_STAGING = re.compile(r"^\..+\.(?:staging|previous)-(\d+)$")
ATOMIC_TEMP = re.compile(r"^\..+\.(\d+)-[0-9a-f]+\.tmp$")


def remove_leftovers(workdir: WorkDir) -> list[Path]:
    """Remove what dead jobs left in the working folder; returns what was removed.

    Call it only while holding the job lock: then no other job of this folder is writing.
    """
    removed = []
    for path, pid in _candidates(workdir):
        if pid == os.getpid() or process_alive(pid):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        if not path.exists():
            removed.append(path)
            log.info("removed %s, left by process %d that no longer runs", path, pid)
    return removed


def _candidates(workdir: WorkDir) -> Iterator[tuple[Path, int]]:
    """(path, pid of its writer) of every name a job writes aside, in the folders jobs
    write to (each one level deep: that is where jobs write)."""
    yield from _matching(workdir.store, (STORE_STAGING, ATOMIC_TEMP))
    yield from _matching(workdir.quarantine, (ATOMIC_TEMP,))
    for folder in (workdir.out, workdir.outbox):
        yield from _matching(folder, (OUTPUT_STAGING, ATOMIC_TEMP))
        for period in _subfolders(folder):
            yield from _matching(period, (ATOMIC_TEMP,))


def _matching(folder: Path, patterns: tuple[re.Pattern[str], ...]) -> Iterator[tuple[Path, int]]:
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        for pattern in patterns:
            if match := pattern.match(entry.name):
                yield entry, int(match[1])
                break


def _subfolders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
