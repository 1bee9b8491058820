"""PDF reports (SPEC §8): one file per scope, rendered in worker processes.

The page is built from the report model (`pdf_display`) and rendered by `pdf_render`;
here are the file names, the scopes, and the pool of worker processes with their limits.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any

from roi_reports.config import Config
from roi_reports.errors import RoiReportsError
from roi_reports.fsutil import atomic_write_bytes, slug
from roi_reports.ingest.dataset import Dataset
from roi_reports.lifeline import die_with
from roi_reports.periods import Period
from roi_reports.pipeline import compute_metrics
from roi_reports.reports.model import MetricsMemo, ReportModel, Scope, build_report_model
from roi_reports.reports.pdf_display import build_page
from roi_reports.reports.pdf_render import (
    ReportTemplateError,
    StageClock,
    logo_data_uri,
    render_page,
    template_dirs,
)
from roi_reports.reports.warm import collect_report_garbage, ready_to_render
from roi_reports.workers import worker_context

ACTIVITY = ("contacts", "conversions", "revenue", "cost")
log = logging.getLogger(__name__)


# --- file names -------------------------------------------------------------------------


def pdf_file_name(scope: Scope) -> str:
    """`executive-summary.pdf`, or `<kind>-<slug>.pdf` such as `employee-aino-virtanen.pdf`."""
    if scope.kind == "all":
        return "executive-summary.pdf"
    return f"{scope.kind}-{slug(scope.name or '')}.pdf"


def unique_pdf_names(scopes: Iterable[Scope]) -> dict[Scope, str]:
    """File names for scopes in order; names that would collide get `-2`, `-3`, …"""
    names: dict[Scope, str] = {}
    taken: set[str] = set()
    for scope in scopes:
        if scope in names:
            continue
        name = pdf_file_name(scope)
        stem, number = name.removesuffix(".pdf"), 2
        while name.lower() in taken:
            name, number = f"{stem}-{number}.pdf", number + 1
        taken.add(name.lower())
        names[scope] = name
    return names


# --- scopes -----------------------------------------------------------------------------


def _active_names(table: Any, key: str) -> list[str]:
    active = table[table[key].notna() & (table[list(ACTIVITY)] != 0).any(axis=1)]
    return sorted(str(name) for name in active[key])


def default_scopes(
    source: ReportModel | Dataset, config: Config | None = None, period: Period | None = None
) -> list[Scope]:
    """`all`, then every named employee and every named channel with data in the period.

    A ReportModel (of scope all) already has the tables; a Dataset needs the config and
    the period to compute them.
    """
    if isinstance(source, ReportModel):
        employees, channels = source.by_employee, source.by_channel
    else:
        config = config or Config()
        employees = compute_metrics(source, config, by=("employee",), period=period)
        channels = compute_metrics(source, config, by=("channel",), period=period)
    return [
        Scope(),
        *(Scope("employee", n) for n in _active_names(employees, "employee")),
        *(Scope("channel", n) for n in _active_names(channels, "channel")),
    ]


# --- rendering --------------------------------------------------------------------------


def pdf_bytes(model: ReportModel, config: Config, cpu_s: dict[str, float] | None = None) -> bytes:
    """One report as PDF bytes (title and creation date in the PDF metadata).

    With a `cpu_s` dict, the CPU seconds of each stage are added to it (`make bench`).
    """
    clock = StageClock(cpu_s)
    dirs = template_dirs(config)
    page = build_page(model, config, logo_data_uri(config))
    clock.lap("page and charts")
    return render_page(page, dirs, model.scope.label, clock)


def render_pdf(model: ReportModel, config: Config, path: Path) -> Path:
    """Render `model` to `path`, written atomically (temp file, fsync, rename)."""
    return atomic_write_bytes(Path(path), pdf_bytes(model, config))


ALARM_REPEAT_S = 0.25


class _TimeUp(BaseException):
    """Not an Exception: renderer code that catches Exception must not swallow it."""


_deadline_passed = False  # set by the alarm: whatever fails after it is the timeout


def _time_up(signum: int, frame: object) -> None:
    global _deadline_passed
    _deadline_passed = True
    raise _TimeUp


# a check of a written PDF against its model, in a language: why it must not be sent
PdfCheck = Callable[[Path, ReportModel, str | None], str | None]
Job = tuple[ReportModel, Config, Path, PdfCheck | None]
Rendered = tuple[Path, str | None]  # the file, and its check's verdict (None: sound)


def _render_job(job: Job) -> Rendered:
    """Render one report in a pool worker, within [output] pdf_timeout_s (SIGALRM), then
    check the file it wrote when the job carries a check (outside that limit: the check
    is not the report's cost, and a file that fails it is withheld, not lost)."""
    model, config, path, check = job
    try:
        written = _render_in_limits(model, config, path)
        if check is None:
            return written, None
        try:
            return written, check(written, model, config.report.language)
        except Exception as exc:  # e.g. out of memory under pdf_memory_mb: not sent unchecked
            return written, f"the check could not run ({type(exc).__name__}: {exc})"
    finally:
        collect_report_garbage()


def _render_in_limits(model: ReportModel, config: Config, path: Path) -> Path:
    global _deadline_passed
    limits = config.output
    _deadline_passed = False
    previous = signal.signal(signal.SIGALRM, _time_up)
    # repeats after the deadline: a raise inside a C callback can be swallowed once
    signal.setitimer(signal.ITIMER_REAL, limits.pdf_timeout_s, ALARM_REPEAT_S)
    try:
        return render_pdf(model, config, path)
    except MemoryError:
        raise ReportTemplateError(
            f"report {model.scope.label} needed more than [output] pdf_memory_mb = "
            f"{limits.pdf_memory_mb:g} MB and was stopped; raise the limit or shorten the report"
        ) from None
    except BaseException:
        if not _deadline_passed:
            raise
        # the alarm may surface as another error (e.g. inside an import); it is the timeout
        raise ReportTemplateError(
            f"report {model.scope.label} took longer than [output] pdf_timeout_s = "
            f"{limits.pdf_timeout_s:g} s and was stopped; raise the limit or shorten the report"
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _start_worker(config: Config, job_pid: int) -> None:
    """Pool initializer: the worker dies with the job (even `kill -9`), its memory is
    capped, and it is made ready for `config`'s reports before the first one (the
    renderer warmed up, the garbage collector settled)."""
    die_with(job_pid)
    _limit_memory(config.output.pdf_memory_mb)
    ready_to_render(config)


def _limit_memory(megabytes: float) -> None:
    """A ceiling on this worker's address space (one report at a time)."""
    ceiling = int(megabytes * 1024 * 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _pool(workers: int, config: Config) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        workers,
        mp_context=worker_context(),
        initializer=_start_worker,
        initargs=(config, os.getpid()),
    )


def start_workers(config: Config, workers: int | None = None) -> ProcessPoolExecutor:
    """PDF worker processes (default: one per core) started now, ahead of the reports.

    Each warms up its renderer as it starts (about half a second), so a job that starts them
    before its last serial steps (combining the files, the totals) finds them ready. Give
    the pool to `render_reports(pool=...)`, which renders in it and shuts it down; shut it
    down yourself if no report is rendered after all.
    """
    count = max(1, workers or os.cpu_count() or 1)
    pool = _pool(count, config)
    try:
        # a pool forks a worker for a task that finds none idle; these find the others
        # still warming up, so each of them starts one
        for _ in range(count):
            pool.submit(_started)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


def _started() -> None:
    """A task that only makes the pool start a worker."""


class EarlyWorkers:
    """A job's PDF workers, started as soon as it knows it will render (`start`), so they
    warm up while it does its last serial steps; `pool` is then given to
    `render_reports`. Shut down on leaving the `with` block, used or not. Never started
    when the reports render on a cluster.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        if self.pool is None and not uses_cluster(self.config):
            try:
                self.pool = start_workers(self.config)
            except (OSError, RuntimeError) as exc:  # no process to be had now: not fatal
                log.warning("PDF workers not started early (%s); they start with the reports", exc)

    def close(self) -> None:
        """Shut the workers down (when the run turns out not to render, say)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def __enter__(self) -> EarlyWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def render_reports(
    dataset: Dataset,
    config: Config,
    period: Period,
    scopes: Sequence[Scope],
    out_dir: Path,
    inputs: Sequence[Path] = (),
    progress: Callable[[Scope], None] | None = None,
    workers: int | None = None,
    failures: dict[Scope, str] | None = None,
    memo: MetricsMemo | None = None,
    pool: ProcessPoolExecutor | None = None,
    check: PdfCheck | None = None,
    verdicts: dict[Path, str | None] | None = None,
) -> dict[Scope, Path]:
    """One PDF per scope in `out_dir`, named by `unique_pdf_names` (deterministic).

    Models are computed here, each handed to a process pool of `workers` processes
    (default: every core) as soon as it is built, so the two overlap; each report is
    rendered within [output] pdf_timeout_s and pdf_memory_mb. A `pool` from
    `start_workers` is used instead of a new one, and shut down when done.
    `progress` is called as each file is done. With a `failures` dict, a report that
    cannot be made (e.g. a character no font has) is recorded there and left out, and the
    others are still made; without one the first such error is raised. Pass the `memo`
    other models of the same dataset and period were built with to share its tables.
    A `check` runs in the worker on each file it wrote, while the other workers render;
    its verdict goes into `verdicts` by path (reports rendered on a cluster are left
    unchecked).
    """
    names = unique_pdf_names(scopes)
    paths = {scope: Path(out_dir) / name for scope, name in names.items()}
    memo = {} if memo is None else memo  # team-wide tables, computed once for all scopes

    def job(scope: Scope) -> Job:
        model = build_report_model(dataset, config, period, scope, inputs, memo)
        return model, config, paths[scope], check

    def finished(scope: Scope, outcome: Callable[[], object]) -> None:
        try:
            outcome()
        except RoiReportsError as exc:
            if failures is None:
                raise
            failures[scope] = str(exc)
        if progress:
            progress(scope)

    def rendered(scope: Scope, outcome: Callable[[], Rendered]) -> None:
        """A pool worker's report: its file, and the verdict of the check it ran."""

        def kept() -> Path:
            path, verdict = outcome()
            if check is not None and verdicts is not None:
                verdicts[path] = verdict
            return path

        finished(scope, kept)

    if paths and uses_cluster(config):
        from roi_reports.reports.pdf_cluster import render_on_cluster

        render_on_cluster(config, [(s, job(s)[0], paths[s]) for s in paths], finished)
    elif paths:
        # always in worker processes, even for one report: the limits apply per process
        workers = max(1, min(workers or os.cpu_count() or 1, len(paths)))
        PoolRun(workers, config, job, rendered, pool).run(list(paths))
    if pool is not None:
        pool.shutdown()  # unused: no report, or on the cluster
    return {scope: path for scope, path in paths.items() if scope not in (failures or {})}


def uses_cluster(config: Config) -> bool:
    """`--engine dask` with a scheduler: the reports render on the cluster's workers."""
    return config.engine.kind == "dask" and config.engine.scheduler is not None


class PoolRun:
    """Reports rendered by a pool of worker processes, at most two per worker queued at a
    time (so ten thousand models never wait in memory at once).

    When a worker process dies (killed, or out of memory inside a C library), the pool
    breaks and every report queued in it fails with it. Those are tried again each alone
    in a fresh one-worker pool, so only a report that kills its worker fails, with its
    reason, and the others are rendered; the rest of the queue goes on in a fresh pool.
    A `started` pool (`start_workers`) is the first pool, instead of a new one.
    """

    def __init__(
        self,
        workers: int,
        config: Config,
        job: Callable[[Scope], Job],
        finished: Callable[[Scope, Callable[[], Rendered]], None],
        started: ProcessPoolExecutor | None = None,
    ) -> None:
        self.workers, self.config = workers, config
        self.job, self.finished = job, finished
        self.started = started

    def run(self, scopes: list[Scope]) -> None:
        queue, suspects = list(reversed(scopes)), []
        while queue:
            suspects += self._until_broken(queue)
        for scope in suspects:
            with _pool(1, self.config) as pool:
                future = pool.submit(_render_job, self.job(scope))
                self.finished(scope, partial(_result_or_death, future, scope))

    def _until_broken(self, queue: list[Scope]) -> list[Scope]:
        """Render from the end of `queue` until it is empty or the pool breaks; the
        reports that were in the broken pool."""
        pool, self.started = self.started or _pool(self.workers, self.config), None
        with pool:
            running: dict[Future[Rendered], Scope] = {}
            while queue or running:
                while queue and len(running) < 2 * self.workers:
                    scope = queue.pop()
                    try:
                        future = pool.submit(_render_job, self.job(scope))
                    except BrokenProcessPool:  # broken before this report (a started pool)
                        queue.append(scope)
                        return list(running.values())
                    running[future] = scope
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    if isinstance(future.exception(), BrokenProcessPool):
                        return list(running.values())
                    self.finished(running.pop(future), future.result)
        return []


def _result_or_death(future: Future[Rendered], scope: Scope) -> Rendered:
    try:
        return future.result()
    except BrokenProcessPool:
        raise ReportTemplateError(
            f"report {scope.label}: its PDF worker process died while rendering it (killed, "
            "or out of memory); the other reports were made. Shorten the report or raise "
            "[output] pdf_memory_mb"
        ) from None
