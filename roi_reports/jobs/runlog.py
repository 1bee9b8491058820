"""A log file per run in the working folder's logs/, for unattended monthly jobs."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from roi_reports.diskfull import is_disk_full
from roi_reports.fsutil import free_name

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def run_log(logs: Path, now: datetime, verbose: bool = False) -> Iterator[Path]:
    """Log everything the `roi_reports` loggers say during the block to a new file.

    Failures are logged as one line (their message), like the console shows them; the
    messages never carry secrets (passwords are only read from the environment).
    """
    logs.mkdir(parents=True, exist_ok=True)
    path = free_name(logs, f"run-{now:%Y%m%d-%H%M%S}.log")
    handler = _RunLogHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logger = logging.getLogger("roi_reports")
    previous_level = logger.level
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.addHandler(handler)
    try:
        logger.info("run started")
        yield path
    except BaseException as exc:
        logger.error("run failed: %s", exc or type(exc).__name__)
        raise
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(previous_level)


class _RunLogHandler(logging.FileHandler):
    """On a full disk the log stays quiet: the job's own error says what happened, instead
    of a "Logging error" traceback on the console for every line that could not be written."""

    def handleError(self, record: logging.LogRecord) -> None:
        if is_disk_full(sys.exc_info()[1]):
            return
        super().handleError(record)
