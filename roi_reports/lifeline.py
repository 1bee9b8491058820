"""Worker processes that die with the job that started them.

A pool's workers outlive a job killed with `kill -9`: a forkserver's workers are children
of the forkserver, not of the job, and each holds the write end of the pipes that would
tell them the job is gone, so they wait forever, or finish their report and write it into
the dead job's staging folder. `die_with(job_pid)`, run in each worker as (part of) the
pool initializer, forks a tiny watcher process that kills the worker as soon as the job
ends, and ends itself when the worker ends first. Once the workers are gone the
forkserver and multiprocessing's resource tracker see their pipes close and exit by
themselves.

A process, not a thread: the worker runs under an address-space ceiling (RLIMIT_AS), and
a second thread in it turns a report that runs out of memory into a glibc abort
("cannot allocate memory for thread-local data") instead of a clean MemoryError.

On Linux the watcher waits on pidfds (no polling, and no confusion with a later process
that reuses a pid); elsewhere it checks both pids once a second.
"""

from __future__ import annotations

import os
import select
import signal
import time

POLL_S = 1.0  # where there is no pidfd: how often the watcher looks at the pids
MAX_FD = 65536


def die_with(job_pid: int) -> None:
    """Kill this process (SIGKILL, at once) when process `job_pid` ends."""
    if not process_alive(job_pid):  # the job ended before this worker even started
        _kill(os.getpid())
    worker_pid = os.getpid()
    if os.fork() == 0:  # the watcher: never returns into the worker's code
        try:
            # hold none of the worker's pipes, so nobody waits on the watcher for an EOF
            os.closerange(3, MAX_FD)
            if _first_to_end(job_pid, worker_pid) == job_pid:
                _kill(worker_pid)
        finally:
            os._exit(0)


def _first_to_end(job_pid: int, worker_pid: int) -> int:
    """Block until the job or the worker has ended; which one it was."""
    pidfds = _pidfds((job_pid, worker_pid))
    if pidfds is not None:
        ready, _, _ = select.select(list(pidfds), [], [])
        return pidfds[ready[0]]
    while True:
        for pid in (job_pid, worker_pid):
            if not process_alive(pid):
                return pid
        time.sleep(POLL_S)


def _pidfds(pids: tuple[int, ...]) -> dict[int, int] | None:
    """pidfd → pid, or None where the kernel or Python has no pidfds."""
    if not hasattr(os, "pidfd_open"):
        return None
    found: dict[int, int] = {}
    for pid in pids:
        try:
            found[os.pidfd_open(pid)] = pid
        except ProcessLookupError:
            found[os.open(os.devnull, os.O_RDONLY)] = pid  # already gone: always readable
        except OSError:
            return None  # an old kernel: fall back to polling
    return found


def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (and is ours to signal)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now has that pid: ours is gone
        return False
    return True


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
