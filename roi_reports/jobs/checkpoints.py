"""Named points in the job where a crash is rehearsed by the tests.

`ROI_REPORTS_CRASH_AT=<name>` makes the process SIGKILL itself when it reaches that
point, so tests can prove that a real crash there loses nothing and that a rerun
completes. Unset (always, in normal use) it costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_VARIABLE = "ROI_REPORTS_CRASH_AT"


def checkpoint(name: str) -> None:
    if os.environ.get(CRASH_VARIABLE) == name:
        os.kill(os.getpid(), signal.SIGKILL)
