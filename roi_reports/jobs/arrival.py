"""When a file in inbox/ has arrived: never read one that is still being written.

A file is ready once its size and modification time have not changed for the settle
time and no process has it open for writing (Linux: seen in /proc, for the processes
this user may look at). Its SHA-256 is taken before it is read and again before its rows
are stored and it is moved to archive/: if the two differ, the file was still changing,
and it stays in inbox/ to be read again later. What is stored is therefore exactly the
bytes that are archived.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from roi_reports.fsutil import sha256_file

SETTLE_S = 2.0  # default: seconds a file must stay unchanged before it is read
MAX_WAIT_S = 60.0  # `run` waits this long at most for files still being written
_WRITE_MODES = (os.O_WRONLY, os.O_RDWR)


@dataclass(frozen=True)
class Fingerprint:
    """What a file was when it was read: size, mtime and content hash."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        stat = path.stat()
        return cls(stat.st_size, stat.st_mtime_ns, sha256_file(path))

    def still(self, path: Path) -> bool:
        """Whether `path` still holds exactly these bytes (cheap stat first)."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != (self.size, self.mtime_ns):
            return False
        return sha256_file(path) == self.sha256


def wait_until_settled(
    paths: list[Path],
    settle_s: float = SETTLE_S,
    max_wait_s: float = MAX_WAIT_S,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[Path], list[Path]]:
    """(ready, still being written) among `paths`, waiting up to `max_wait_s` for files
    that changed within the last `settle_s` seconds or are open for writing."""
    deadline = clock() + max_wait_s
    while True:
        busy = set(open_for_writing(paths))
        waiting = [p for p in paths if p in busy or _changed_within(p, settle_s, clock())]
        if not waiting or clock() >= deadline:
            ready = [p for p in paths if p not in waiting and p.exists()]
            return ready, waiting
        sleep(min(settle_s / 2, max(deadline - clock(), 0.0)) or 0.1)


def _changed_within(path: Path, settle_s: float, now: float) -> bool:
    try:
        return now - path.stat().st_mtime < settle_s
    except FileNotFoundError:
        return False


def open_for_writing(paths: Iterable[Path]) -> list[Path]:
    """The files of `paths` another process has open for writing (Linux /proc; elsewhere,
    and for processes this user may not inspect, none are found)."""
    wanted: dict[tuple[int, int], Path] = {}
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        wanted[(stat.st_dev, stat.st_ino)] = path
    if not wanted or not os.path.isdir("/proc/self/fd"):
        return []
    found = []
    for pid, fd in _open_descriptors():
        try:
            stat = os.stat(f"/proc/{pid}/fd/{fd}")
            key = (stat.st_dev, stat.st_ino)
            if key in wanted and _writes(pid, fd):
                found.append(wanted.pop(key))
        except OSError:  # the process or descriptor is gone, or not ours to look at
            continue
    return found


def _open_descriptors() -> Iterable[tuple[str, str]]:
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in descriptors:
            yield pid, fd


def _writes(pid: str, fd: str) -> bool:
    with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii") as info:
        for line in info:
            if line.startswith("flags:"):
                return (int(line.split()[1], 8) & os.O_ACCMODE) in _WRITE_MODES
    return False
