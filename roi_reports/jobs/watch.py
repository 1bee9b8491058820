"""`roi-reports watch`: run the inbox step whenever files arrive in inbox/.

A file counts as arrived once its size and modification time have stopped changing for
`settle_s` seconds and no process has it open for writing, so a large workbook still
being copied is not read half-written (jobs/arrival.py has the rules, and the hashes
that make sure the bytes read are the bytes archived).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from roi_reports.config import Config
from roi_reports.errors import RoiReportsError
from roi_reports.jobs.arrival import open_for_writing
from roi_reports.jobs.inbox import IngestSummary, inbox_files, ingest
from roi_reports.jobs.leftovers import remove_leftovers
from roi_reports.jobs.lock import JobLocked, job_lock
from roi_reports.jobs.workdir import WorkDir

log = logging.getLogger("roi_reports.watch")
RETRY_S = 10.0  # after a failed round (a full disk, say), before the next try


class _Wakeup(FileSystemEventHandler):
    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.event.set()


def settled(
    files: list[Path], seen: dict[Path, tuple[int, float, float]], settle_s: float, now: float
) -> list[Path]:
    """Files whose (size, mtime) has not changed for `settle_s` seconds."""
    ready = []
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        signature = (stat.st_size, stat.st_mtime)
        previous = seen.get(path)
        if previous is None or previous[:2] != signature:
            seen[path] = (*signature, now)
        elif now - previous[2] >= settle_s:
            ready.append(path)
    return ready


def watch(
    workdir: WorkDir,
    config: Config,
    report: Callable[[IngestSummary], None],
    stop: threading.Event,
    settle_s: float = 2.0,
    poll_s: float = 0.5,
    on_error: Callable[[str], None] | None = None,
) -> None:
    """Block until `stop` is set; ingest settled files as they appear.

    A round that fails (a full disk, say) is reported to `on_error` and tried again after
    RETRY_S: watching goes on. Bad files never fail a round: they are quarantined.
    """
    wakeup = threading.Event()
    observer = Observer()
    observer.schedule(_Wakeup(wakeup), str(workdir.inbox), recursive=False)
    observer.start()
    seen: dict[Path, tuple[int, float, float]] = {}
    try:
        while not stop.is_set():
            files = inbox_files(workdir.inbox)
            ready = settled(files, seen, settle_s, time.monotonic())
            if ready and len(ready) == len(files) and not open_for_writing(ready):
                failure = _ingest_once(workdir, config, report, settle_s)
                seen.clear()
                if failure is not None:
                    (on_error or log.error)(failure)
                    stop.wait(RETRY_S)
            wakeup.wait(poll_s if files else 5.0)
            wakeup.clear()
    finally:
        observer.stop()
        observer.join(timeout=5)


def _ingest_once(
    workdir: WorkDir, config: Config, report: Callable[[IngestSummary], None], settle_s: float
) -> str | None:
    """One inbox step; what went wrong, if anything (then the files wait in inbox/)."""
    try:
        with job_lock(workdir.lock):
            remove_leftovers(workdir)
            # files found still changing wait for the next round, not in this one
            report(ingest(workdir, config, config.report.now(), None, settle_s, max_wait_s=0))
    except JobLocked as exc:  # the monthly run is busy: try again on the next round
        log.info("%s", exc)
    except RoiReportsError as exc:
        return str(exc)
    except Exception as exc:  # logged with its traceback; watching goes on regardless
        log.exception("inbox step failed")
        return f"unexpected error ({type(exc).__name__}: {exc}); the files wait in inbox/"
    return None
