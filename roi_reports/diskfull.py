"""A full disk (or an exhausted quota) said plainly: what was being written, where, and that
nothing was lost (the job writes aside and moves inputs only once their rows are stored).

Writers report it in different clothes: OSError with errno ENOSPC or EDQUOT from Python,
pyarrow's errors carrying the C library's "No space left on device", and sqlite's
"database or disk is full". `writing(what, folder)` wraps a step of the job and turns any
of them into one DiskFullError; `disk_full_message` serves the CLI's last resort.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from roi_reports.errors import RoiReportsError

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
FULL_TEXTS = ("No space left on device", "Disk quota exceeded", "database or disk is full")


class DiskFullError(RoiReportsError):
    """The disk (or the user's quota) ran out while the job was writing."""

    exit_code = 1

    def __init__(self, what: str, folder: Path | str) -> None:
        super().__init__(
            f"disk full while writing {what} in {folder}: free space and rerun; nothing was lost"
        )


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether `exc`, or an error it was raised from, says the disk is full."""
    seen = 0
    while exc is not None and seen < 10:  # the chain of causes, never in a loop
        if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
            return True
        if isinstance(exc, sqlite3.OperationalError | OSError) and any(
            text in str(exc) for text in FULL_TEXTS
        ):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


@contextmanager
def writing(what: str, folder: Path) -> Iterator[None]:
    """Run a writing step; a full disk inside it becomes one DiskFullError naming it."""
    try:
        yield
    except DiskFullError:
        raise
    except Exception as exc:
        if is_disk_full(exc):
            raise DiskFullError(what, folder) from None
        raise


def disk_full_message(exc: BaseException) -> str | None:
    """The one line for a full disk met outside any `writing` step, else None."""
    if not is_disk_full(exc):
        return None
    name = getattr(exc, "filename", None)
    if name:
        path = Path(str(name))
        return str(DiskFullError(path.name, path.parent))
    return str(DiskFullError("files", "the working folder"))


def quiet_unraisable_disk_full() -> None:
    """Let a full disk be said once: a writer abandoned by the error (say, a workbook's
    zip file) fails again when it is collected, and Python would print that as an
    "Exception ignored" traceback after the one-line error."""
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not is_disk_full(unraisable.exc_value):
            previous(unraisable)

    sys.unraisablehook = hook
