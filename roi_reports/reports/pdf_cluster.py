"""PDFs rendered on a Dask cluster: with `--engine dask` and a scheduler, workers render.

Each worker receives one report's display rows (`pdf_display.Page`: its texts and chart
positions, a few kilobytes, never the data rows) and returns the PDF bytes; the job writes
the files (atomically) and checks them itself (a local pool's workers check their own).

What a worker needs: roi-reports installed (the same version, with the `dask` extra), the
report templates (the shipped ones come with the package; a `[report] template_dir` must
exist at the same path on every worker) and the fonts the stylesheet names that the job's
machine has (Noto Sans, Noto Sans Arabic), with Pango. Before its first report a worker
checks all three against the job's and, lacking one, fails the run with one line that
names the worker and what it lacks: different templates or fonts would give other bytes.
Its code as well: a worker returns its code's hash with each PDF, so the job itself also
refuses a worker whose older roi-reports has no such check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from roi_reports.config import Config
from roi_reports.engine.cluster import dask_client
from roi_reports.errors import RoiReportsError
from roi_reports.fonts import font_file, stylesheet_families
from roi_reports.fsutil import atomic_write_bytes
from roi_reports.reports.model import ReportModel, Scope
from roi_reports.reports.pdf_display import Page, build_page
from roi_reports.reports.pdf_render import (
    REPORT_TEMPLATE,
    STYLESHEET,
    ReportTemplateError,
    logo_data_uri,
    render_page,
    stylesheet_path,
    template_dirs,
    templates_digest,
)
from roi_reports.resources import code_digest, template_root

POLL_S = 0.05  # how often the job looks for reports back from the cluster
WORKER_HINT = (
    "every worker needs roi-reports with its templates, the fonts Noto Sans and Noto Sans "
    "Arabic and Pango (see README, Rendering on the cluster)"
)


OTHER_CODE = "its roi-reports is not the job's (another version, or changed code)"


class WorkerSetupError(RoiReportsError):
    """A Dask worker cannot render the reports as the job would (code, templates, fonts)."""


@dataclass(frozen=True)
class Setup:
    """What the job renders with, for a worker to check it has the same."""

    template_dir: str | None  # the user's [report] template_dir, resolved on the job's machine
    templates_sha256: str
    fonts: tuple[str, ...]  # the stylesheet's families installed where the job runs
    code_sha256: str  # the job's roi-reports (resources.code_digest)


def job_setup(config: Config) -> Setup:
    dirs = template_dirs(config)
    custom = str(dirs[0]) if len(dirs) > 1 else None
    families = stylesheet_families([stylesheet_path(dirs)])
    installed = tuple(f for f in families if font_file(f) is not None)
    return Setup(custom, templates_digest(dirs), installed, code_digest())


def worker_dirs(setup: Setup) -> list[Path]:
    shipped = template_root().resolve()
    return [Path(setup.template_dir), shipped] if setup.template_dir else [shipped]


@lru_cache(maxsize=4)
def setup_problem(setup: Setup) -> str | None:
    """What this worker lacks to render as the job would; None when it has everything."""
    dirs = worker_dirs(setup)
    for name in (REPORT_TEMPLATE, STYLESHEET):
        if not any((d / name).is_file() for d in dirs):
            return f"templates not found ({name} is in none of {', '.join(map(str, dirs))})"
    if code_digest() != setup.code_sha256:  # other code renders other bytes, or fails
        return OTHER_CODE
    if templates_digest(dirs) != setup.templates_sha256:
        return f"its templates in {', '.join(map(str, dirs))} differ from the job's"
    missing = [family for family in setup.fonts if font_file(family) is None]
    if missing:
        return f"font {', '.join(missing)} not installed"
    return None


def render_on_worker(page: Page, setup: Setup, scope: str) -> tuple[str, bytes]:
    """A Dask task: the worker's code hash and one report's PDF bytes, or WorkerSetupError
    naming this worker."""
    problem = setup_problem(setup)
    if problem:
        from distributed import get_worker

        address = get_worker().address
        raise _setup_error(address, problem)
    return code_digest(), render_page(page, worker_dirs(setup), scope)


def render_on_cluster(
    config: Config,
    jobs: Sequence[tuple[Scope, ReportModel, Path]],
    finished: Callable[[Scope, Callable[[], object]], None],
) -> None:
    """Render every (scope, model, path) on the cluster; write each file as it returns.

    A worker's thread cannot be stopped, so `[output] pdf_timeout_s` bounds the wait: when
    no report has come back for that long, every report still out fails with that reason
    (the ones back are kept), and the run goes on without them.
    """
    from distributed import as_completed

    setup = job_setup(config)
    logo = logo_data_uri(config)
    limit = config.output.pdf_timeout_s
    with dask_client(config.engine) as client:
        out: dict[Any, tuple[Scope, Path]] = {}
        for scope, model, path in jobs:
            page = build_page(model, config, logo)
            future = client.submit(render_on_worker, page, setup, scope.label, pure=False)
            out[future] = (scope, path)
        returning = as_completed(out)
        last = time.monotonic()
        while out:
            batch = returning.next_batch(block=False)
            if not batch and time.monotonic() - last > limit:
                client.cancel(list(out))
                for scope, _ in out.values():
                    finished(scope, partial(_not_back, scope, limit))
                return
            if not batch:
                time.sleep(POLL_S)
                continue
            last = time.monotonic()
            for future in batch:
                scope, path = out.pop(future)
                error = future.exception() if future.status == "error" else None
                if isinstance(error, WorkerSetupError):
                    raise error  # the whole run: no worker should render unlike the job
                try:
                    pdf = _received(client, future, scope, limit, setup.code_sha256)
                except ReportTemplateError as exc:  # this report's failure, not the run's
                    finished(scope, partial(_raise, exc))
                else:
                    finished(scope, partial(atomic_write_bytes, path, pdf))


def _received(client: Any, future: Any, scope: Scope, limit: float, code: str) -> bytes:
    """The report's PDF bytes from its future (ReportTemplateError: what the cluster did to
    it); a worker on other code than the job's fails the whole run (WorkerSetupError)."""
    result = _result(future, scope, limit)
    if not (isinstance(result, tuple) and len(result) == 2 and result[0] == code):
        where = ", ".join(sorted(client.who_has([future]).get(future.key, ())))
        raise _setup_error(where or "(address unknown)", OTHER_CODE)
    pdf: bytes = result[1]
    return pdf


def _setup_error(address: str, problem: str) -> WorkerSetupError:
    return WorkerSetupError(
        f"Dask worker {address} cannot render reports: {problem}; {WORKER_HINT}"
    )


def _raise(error: Exception) -> None:
    raise error


def _result(future: Any, scope: Scope, limit: float) -> Any:
    """The future's result; what the cluster did to it, as the report's failure."""
    from distributed import KilledWorker

    try:
        # a result lost with its worker is computed again: that wait is bounded too
        return future.result(timeout=limit)
    except KilledWorker as exc:  # Dask tried it on other workers too: it kills them
        last = getattr(exc.last_worker, "address", exc.last_worker)
        raise ReportTemplateError(
            f"report {scope.label} stopped every Dask worker that rendered it (the last: "
            f"{last}); give the workers more memory (dask worker --memory-limit) or "
            "shorten the report"
        ) from None
    except (CancelledError, TimeoutError, MemoryError) as exc:
        raise ReportTemplateError(
            f"report {scope.label} did not come back from the cluster "
            f"({type(exc).__name__}: {exc or 'no detail'}); run the job again"
        ) from None


def _not_back(scope: Scope, limit: float) -> None:
    raise ReportTemplateError(
        f"report {scope.label} did not come back from the cluster: no report finished "
        f"for [output] pdf_timeout_s = {limit:g} s (a worker is stuck on it or on the "
        "reports before it); raise the limit or shorten the report"
    )
