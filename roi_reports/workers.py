"""Worker processes of the job: one start method and one preload for every pool.

Workers fork from a forkserver: a clean process started once per job, which has already
imported what the workers run (the readers and the renderer), so no thread of the caller
(e.g. `watch`) is forked and a worker starts in milliseconds. The forkserver preloads its
list once, when the first pool of the job starts it, so every pool shares one list.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

PRELOAD = ["roi_reports.ingest.dataset", "roi_reports.reports.pdf", "roi_reports.reports.warm"]


def worker_context() -> BaseContext:
    """The forkserver where the platform has one (Linux, macOS), else spawn (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")
