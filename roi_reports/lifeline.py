"""Worker processes that die with the job that started them.

A pool's workers outlive a job killed with `kill -9`: a forkserver's workers are children
of the forkserver, not of the job, and each holds the write end of the pipes that would
tell them the job is gone, so they wait forever, or finish their report and write it into
the dead job's staging folder. `die_with(job_pid)`, run in each worker as (part of) the
pool initializer, starts a daemon thread that kills the worker as soon as the job process
ends. Once the workers are gone the forkserver and multiprocessing's resource tracker see
their pipes close and exit by themselves.

On Linux the thread waits on a pidfd (no polling, and no confusion with a later process
that reuses the pid); elsewhere it checks the job's pid once a second.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Callable

POLL_S = 1.0  # where there is no pidfd: how often the watchdog looks at the job's pid


def die_with(job_pid: int) -> None:
    """Kill this process (SIGKILL, at once) when process `job_pid` ends."""
    try:
        wait = _waiter(job_pid)
    except ProcessLookupError:  # the job ended before this worker even started
        _die()
        return
    threading.Thread(target=_watch, args=(wait,), name="lifeline", daemon=True).start()


def _waiter(job_pid: int) -> Callable[[], object]:
    """A function that blocks until the job has ended."""
    if hasattr(os, "pidfd_open"):
        try:
            pidfd = os.pidfd_open(job_pid)
        except OSError as exc:
            if isinstance(exc, ProcessLookupError):
                raise
            pidfd = None  # an old kernel: fall back to polling
        if pidfd is not None:
            return lambda: select.select([pidfd], [], [])
    if not process_alive(job_pid):
        raise ProcessLookupError(job_pid)
    return lambda: _poll_until_gone(job_pid)


def _watch(wait: Callable[[], object]) -> None:
    wait()
    _die()


def _poll_until_gone(job_pid: int) -> None:
    while process_alive(job_pid):
        time.sleep(POLL_S)


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (and is ours to signal)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now has that pid: ours is gone
        return False
    return True


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
