"""`roi-reports watch`: run the inbox step whenever files arrive in inbox/.

A file counts as arrived once its size and modification time have stopped changing for
`settle_s` seconds, so a large workbook still being copied is not read half-written.
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
from roi_reports.jobs.inbox import IngestSummary, inbox_files, ingest
from roi_reports.jobs.leftovers import remove_leftovers
from roi_reports.jobs.lock import JobLocked, job_lock
from roi_reports.jobs.workdir import WorkDir

log = logging.getLogger("roi_reports.watch")


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
) -> None:
    """Block until `stop` is set; ingest settled files as they appear."""
    wakeup = threading.Event()
    observer = Observer()
    observer.schedule(_Wakeup(wakeup), str(workdir.inbox), recursive=False)
    observer.start()
    seen: dict[Path, tuple[int, float, float]] = {}
    try:
        while not stop.is_set():
            files = inbox_files(workdir.inbox)
            ready = settled(files, seen, settle_s, time.monotonic())
            if ready and len(ready) == len(files):
                _ingest_once(workdir, config, report)
                seen.clear()
            wakeup.wait(poll_s if files else 5.0)
            wakeup.clear()
    finally:
        observer.stop()
        observer.join(timeout=5)


def _ingest_once(workdir: WorkDir, config: Config, report: Callable[[IngestSummary], None]) -> None:
    try:
        with job_lock(workdir.lock):
            remove_leftovers(workdir)
            report(ingest(workdir, config, config.report.now()))
    except JobLocked as exc:  # the monthly run is busy: try again on the next round
        log.info("%s", exc)
