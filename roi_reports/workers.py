"""Worker processes of the job: one start method and one preload for every pool.

Workers fork from a forkserver: a clean process started once per job, which has already
imported what the workers run (the readers and the report modules), so no thread of the
caller (e.g. `watch`) is forked and a worker starts in milliseconds. The forkserver
preloads its list once, when the first pool of the job starts it, so every pool shares
one list.

The list leaves out WeasyPrint and its fonts (about a second to load and warm up): the
first pool of a job reads the inbox, and its workers would wait for them. A PDF worker
warms its renderer as it starts (`reports.pdf.start_workers`), and the monthly job starts
its PDF workers while it still combines the files and computes the totals.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

# pandera: the read workers' row rules import it when they first check a table
PRELOAD = ["roi_reports.ingest.dataset", "pandera.pandas", "roi_reports.reports.pdf"]


def worker_context() -> BaseContext:
    """The forkserver where the platform has one (Linux, macOS), else spawn (Windows)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def start_forkserver() -> None:
    """Start the forkserver now; it imports PRELOAD in its own process while the caller
    goes on (the `roi-reports` command calls this before it imports the rest)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        worker_context()  # sets the preload list
        forkserver.ensure_running()
