"""The inbox step: every file dropped in inbox/ is stored and archived, or quarantined.

Order of operations is chosen for crash safety: a file's rows are stored before the file
leaves the inbox, so a crash in between leaves a file that the next run recognises by its
hash and simply archives; a quarantined file's error list is written before the file is
moved. Nothing is ever deleted or edited in place.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from roi_reports.config import Config
from roi_reports.diskfull import writing
from roi_reports.fsutil import atomic_write_text, free_name
from roi_reports.ingest.dataset import FileTables, assemble
from roi_reports.jobs.arrival import MAX_WAIT_S, SETTLE_S, Fingerprint, wait_until_settled
from roi_reports.jobs.checkpoints import checkpoint
from roi_reports.jobs.reading import read_files
from roi_reports.jobs.workdir import WorkDir
from roi_reports.output import problems_csv
from roi_reports.store import Store
from roi_reports.validation import Problem, ValidationReport, reading_order

log = logging.getLogger("roi_reports.inbox")
IGNORED_PREFIXES = (".", "~$", ".~lock")
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload", ".errors.csv")


@dataclass(frozen=True)
class Accepted:
    name: str
    sha256: str
    rows: dict[str, int]
    archived_as: str
    replaced: str | None  # sha256 of the version this one replaced


@dataclass(frozen=True)
class Quarantined:
    name: str
    moved_to: str
    errors_file: str
    problems: int
    reason: str = ""  # the first error, in a line: why the file is not in the reports


@dataclass
class IngestSummary:
    accepted: list[Accepted] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (name, stored as)
    quarantined: list[Quarantined] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still being written: read later
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # read, validate, store (s)

    def timed(self, phase: str, start: float) -> None:
        self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - start


def inbox_files(inbox: Path) -> list[Path]:
    """Files waiting in the inbox; editors' lock files and partial downloads are skipped."""
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file()
        and not p.name.startswith(IGNORED_PREFIXES)
        and not p.name.endswith(IGNORED_SUFFIXES)
    )


def ingest(
    workdir: WorkDir,
    config: Config,
    now: datetime,
    progress: Callable[[str], None] | None = None,
    settle_s: float = SETTLE_S,
    max_wait_s: float = MAX_WAIT_S,
    after_reading: Callable[[], None] | None = None,
) -> IngestSummary:
    """Store and archive, or quarantine, every file of the inbox that has arrived.

    `after_reading` is called once new files have been read, before they are checked
    against each other and stored (the job starts its PDF workers then).

    Files still being written (changed within `settle_s`, or open for writing) are waited
    for up to `max_wait_s`, then left for the next time (`summary.waiting`); so is a file
    whose bytes changed between its reading and its move (see jobs/arrival.py).
    """
    store = Store(workdir.store)
    summary = IngestSummary()
    archive = workdir.archive / f"{now:%Y-%m}"
    ready, summary.waiting = _arrived(workdir, settle_s, max_wait_s)
    fresh: list[tuple[Path, Fingerprint, FileTables]] = []
    batch: dict[str, str] = {}  # sha256 → name, for the same content twice in one drop
    to_read: list[tuple[Path, Fingerprint]] = []
    for path in ready:
        before = Fingerprint.of(path)  # the hash before reading
        known = store.find(before.sha256)
        twin = known.name if known is not None else batch.get(before.sha256)
        if twin is not None:
            if progress:
                progress(path.name)
            if _changed(path, before, summary):
                continue
            with writing(path.name, archive):
                target = _move(path, archive)
            summary.duplicates.append((path.name, twin))
            log.info("%s: same content as %s; archived as %s", path.name, twin, target)
            continue
        batch[before.sha256] = path.name
        to_read.append((path, before))
    # the read workers write each file's tables ahead (jobs/reading.py); whatever of that
    # is not stored in the end (quarantined, changed meanwhile, a failure) is removed
    for _, before in to_read:  # of an earlier process with this pid: never adopted
        store.discard_staging(before.sha256)
    try:
        stages = [store.staging(before.sha256) for _, before in to_read]
        reads = read_files([p for p, _ in to_read], config, summary.timings, stage_in=stages)
        for (path, before), tables in zip(to_read, reads, strict=True):
            if progress:
                progress(path.name)
            fresh.append((path, before, tables))
        if fresh and after_reading:
            after_reading()
        start = time.perf_counter()
        errors = _cross_file_errors(store, [tables for _, _, tables in fresh], config)
        summary.timed("validate", start)
        start = time.perf_counter()
        for path, before, tables in fresh:
            if not _changed(path, before, summary):  # the hash again, before the move
                filed = (path, before.sha256, tables)
                _file_away(workdir, store, archive, now, filed, errors, summary)
    finally:
        for _, before in to_read:
            store.discard_staging(before.sha256)
    summary.timed("store", start)
    return summary


def _arrived(workdir: WorkDir, settle_s: float, max_wait_s: float) -> tuple[list[Path], list[str]]:
    ready, busy = wait_until_settled(inbox_files(workdir.inbox), settle_s, max_wait_s)
    for path in busy:
        log.info("%s: still being written; left in inbox/ for the next time", path.name)
    return ready, [path.name for path in busy]


def _changed(path: Path, before: Fingerprint, summary: IngestSummary) -> bool:
    """Whether the file changed since it was hashed; then it waits in inbox/ for later."""
    if before.still(path):
        return False
    log.warning("%s: changed while it was read; left in inbox/ to be read again", path.name)
    summary.waiting.append(path.name)
    return True


def _file_away(
    workdir: WorkDir,
    store: Store,
    archive: Path,
    now: datetime,
    file: tuple[Path, str, FileTables],
    errors: dict[str, list[Problem]],
    summary: IngestSummary,
) -> None:
    """Store and archive one read file, or quarantine it with its problems."""
    path, sha256, tables = file
    problems = reading_order([*tables.problems, *errors.get(tables.name, [])])
    if any(p.severity == "error" for p in problems):
        with writing(f"the error list of {path.name}", workdir.quarantine):
            summary.quarantined.append(_quarantine(path, problems, workdir.quarantine))
        return
    summary.warnings.extend(p for p in problems if p.severity == "warning")
    previous = store.get(tables.name)
    target = free_name(archive, path.name)
    with writing(f"the rows of {path.name}", workdir.store):
        archived_as = str(target.relative_to(workdir.root))
        stored = store.put(tables, sha256, archived_as, now, written_ahead=True)
    checkpoint("ingest-stored")
    with writing(path.name, archive):
        _move(path, archive, target)
    summary.accepted.append(
        Accepted(
            tables.name,
            sha256,
            stored.rows,
            stored.archived_as,
            previous.sha256 if previous else None,
        )
    )
    log.info("%s: accepted (%s), archived as %s", path.name, stored.rows, target)


def _cross_file_errors(
    store: Store, fresh: list[FileTables], config: Config
) -> dict[str, list[Problem]]:
    """Problems only visible across files, e.g. a USD cost whose rate is in another file."""
    if not fresh:
        return {}
    names = {t.name for t in fresh}
    stored = [t for t in store.load_all() if t.name not in names]
    valid_fresh = [t for t in fresh if not t.has_errors]
    report: ValidationReport = assemble([*stored, *valid_fresh], config).report
    own = {id(p) for t in [*stored, *valid_fresh] for p in t.problems}
    found: dict[str, list[Problem]] = {}
    for problem in report.problems:
        if id(problem) not in own and problem.file in names:
            found.setdefault(problem.file, []).append(problem)
    return found


def _move(path: Path, folder: Path, target: Path | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = target or free_name(folder, path.name)
    os.replace(path, target)
    return target


def _quarantine(path: Path, problems: list[Problem], folder: Path) -> Quarantined:
    target = free_name(folder, path.name)
    errors_file = target.with_name(target.name + ".errors.csv")
    report = ValidationReport(list(problems))
    atomic_write_text(errors_file, problems_csv(report))
    checkpoint("quarantine-listed")
    _move(path, folder, target)
    errors = len(report.errors)
    reason = quarantine_reason(report.errors[0]) if report.errors else ""
    log.warning("%s: quarantined with %s: %s", path.name, errors_file.name, reason)
    return Quarantined(path.name, target.name, errors_file.name, errors, reason)


def quarantine_reason(problem: Problem) -> str:
    """The first error as the console shows it: `damaged workbook: …` for a whole file,
    else where it is and what (`sheet 'results', row 2, column 'date': date out of …`)."""
    prefix = f"{problem.file}: "
    if problem.row is None and problem.hint.startswith(prefix):
        return problem.hint.removeprefix(prefix)
    return problem.one_line().removeprefix(f"{problem.file}, ").removeprefix(prefix)
