"""One job at a time per working folder: an advisory lock the OS releases on any exit.

`flock` is dropped by the kernel when the process dies, even by SIGKILL, so a crashed
job never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from roi_reports.errors import RoiReportsError


class JobLocked(RoiReportsError):
    exit_code = 1


@contextmanager
def job_lock(path: Path) -> Iterator[None]:
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise JobLocked(
                f"another roi-reports job is running in {path.parent} ({holder}); "
                "wait for it to finish and run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {datetime.now().isoformat(timespec='seconds')}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock
