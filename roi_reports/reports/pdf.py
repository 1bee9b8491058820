"""PDF reports (SPEC §8): jinja2 templates rendered by WeasyPrint, one file per scope.

Python builds the display rows (`pdf_display`); templates only print them, with
autoescape and StrictUndefined, so a name such as `Mia <b>Berg</b>` prints literally and
a template typo is an error rather than a blank. WeasyPrint may read only data: URIs and
files inside the template folders: no network, no other file, whatever a template says.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2

from roi_reports.config import Config
from roi_reports.errors import ConfigError, RoiReportsError
from roi_reports.fsutil import atomic_write_bytes, slug
from roi_reports.i18n import translator
from roi_reports.ingest.dataset import Dataset
from roi_reports.lifeline import die_with
from roi_reports.periods import Period
from roi_reports.pipeline import compute_metrics
from roi_reports.reports.glyphs import SHOWN, covered, stylesheet_families, uncovered
from roi_reports.reports.model import MetricsMemo, ReportModel, Scope, build_report_model
from roi_reports.reports.pdf_display import build_page
from roi_reports.resources import template_root

REPORT_TEMPLATE = "report.html"
STYLESHEET = "report.css"
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
ACTIVITY = ("contacts", "conversions", "revenue", "cost")


class ReportTemplateError(RoiReportsError):
    """A report template is missing, invalid, or prints a value it was not given."""


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


# --- templates and fetching -------------------------------------------------------------


def template_dirs(config: Config) -> list[Path]:
    """The user's template folder (config `template_dir`, relative to the config file's
    folder) first, then the shipped templates, so a user may override single files."""
    shipped = template_root().resolve()
    if not config.report.template_dir:
        return [shipped]
    base = config.source.parent if config.source else Path.cwd()
    custom = (base / config.report.template_dir).resolve()
    if not custom.is_dir():
        raise ConfigError(
            f"[report] template_dir = {config.report.template_dir!r}: folder {custom} not "
            "found; give a folder path relative to the config file"
        )
    return [custom, shipped]


@lru_cache(maxsize=8)
def _environment(dirs: tuple[Path, ...], language: str = "en") -> jinja2.Environment:
    """Templates translate their own words with `_()` / `{% trans %}` (newstyle gettext:
    the translation is escaped like any other value)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translator(language), newstyle=True)  # type: ignore[attr-defined]
    return environment


def render_html(page: Any, dirs: Sequence[Path]) -> str:
    """The report's HTML; template problems become one-line ReportTemplateErrors."""
    try:
        template = _environment(tuple(dirs), page.lang).get_template(REPORT_TEMPLATE)
        return template.render(page=page)
    except jinja2.TemplateNotFound as exc:
        where = ", ".join(str(d) for d in dirs)
        raise ReportTemplateError(f"template {exc.name} not found in {where}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise ReportTemplateError(
            f"{exc.filename or exc.name}, line {exc.lineno}: {exc.message}; fix the template"
        ) from None
    except jinja2.UndefinedError as exc:
        raise ReportTemplateError(
            f"report template uses a value that does not exist ({exc.message}); "
            "check the names against the shipped templates"
        ) from None


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def make_url_fetcher(roots: Sequence[Path]) -> Any:
    """A WeasyPrint fetcher for data: URIs and files under `roots`; anything else fails."""
    from weasyprint.urls import URLFetcher

    allowed = [Path(r).resolve() for r in roots]

    class TemplateFolderFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file" and not parts.netloc:
                path = Path(unquote(parts.path)).resolve()
                if _inside(path, allowed) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"refused to fetch {url}: only files in the template folder")

    return TemplateFolderFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def logo_data_uri(config: Config) -> str | None:
    """The configured logo as a data URI (read here, so WeasyPrint never opens a path)."""
    logo = config.report.logo
    if not logo:
        return None
    base = config.source.parent if config.source else Path.cwd()
    path = (base / logo).resolve()
    media_type = LOGO_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise ConfigError(f"[report] logo = {logo!r}: use a .png, .jpg or .svg file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"[report] logo = {logo!r}: cannot read {path} ({exc.strerror}); "
            "give a path relative to the config file"
        ) from None
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


# --- rendering --------------------------------------------------------------------------


def pdf_bytes(model: ReportModel, config: Config, cpu_s: dict[str, float] | None = None) -> bytes:
    """One report as PDF bytes (title and creation date in the PDF metadata).

    With a `cpu_s` dict, the CPU seconds of each stage are added to it (`make bench`).
    """
    from weasyprint import CSS, HTML

    clock = _StageClock(cpu_s)
    dirs = template_dirs(config)
    page = build_page(model, config, logo_data_uri(config))
    stylesheet = next((d / STYLESHEET for d in dirs if (d / STYLESHEET).is_file()), None)
    if stylesheet is None:
        raise ReportTemplateError(f"{STYLESHEET} not found in {dirs[0]}")
    clock.lap("page and charts")
    check_glyphs(page, stylesheet, model.scope.label)
    html = render_html(page, dirs)
    clock.lap("glyph check and HTML")
    fetcher = make_url_fetcher(dirs)
    document = HTML(string=html, base_url=dirs[0].as_uri() + "/", url_fetcher=fetcher)
    css = CSS(filename=str(stylesheet), url_fetcher=fetcher)
    rendered = document.render(stylesheets=[css])
    clock.lap("layout")
    data = bytes(rendered.write_pdf())
    clock.lap("drawing and PDF")
    return data


class _StageClock:
    """CPU time per stage, added into a caller's dict; does nothing without one."""

    def __init__(self, into: dict[str, float] | None) -> None:
        self.into = into
        self.last = time.process_time()

    def lap(self, stage: str) -> None:
        if self.into is not None:
            now = time.process_time()
            self.into[stage] = self.into.get(stage, 0.0) + now - self.last
            self.last = now


def check_glyphs(page: object, stylesheet: Path, scope: str) -> None:
    """Refuse a report with characters none of the stylesheet's fonts can print."""
    points = covered(stylesheet_families([stylesheet]))
    if not points:  # none of the fonts is installed: nothing to judge by
        return
    missing = uncovered(page, points)
    if missing:
        shown = "; ".join(missing[:SHOWN]) + (
            f"; and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        )
        raise ReportTemplateError(
            f"report {scope}: no report font has {shown}; correct the text, or add a font "
            f"that has it to font-family in {STYLESHEET}"
        )


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


def _render_job(job: tuple[ReportModel, Config, Path]) -> Path:
    """Render one report in a pool worker, within [output] pdf_timeout_s (SIGALRM)."""
    global _deadline_passed
    model, config, path = job
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


def _start_worker(megabytes: float, job_pid: int) -> None:
    """Pool initializer: the worker dies with the job (even `kill -9`), and its memory is
    capped."""
    die_with(job_pid)
    _limit_memory(megabytes)


def _limit_memory(megabytes: float) -> None:
    """A ceiling on this worker's address space (one report at a time)."""
    ceiling = int(megabytes * 1024 * 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _pool(workers: int, memory_mb: float) -> ProcessPoolExecutor:
    # forkserver: workers fork from a clean process that has already imported the
    # renderer, so no thread of the caller (e.g. `watch`) is forked, and start-up is cheap
    context: Any = multiprocessing.get_context("spawn")
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        preload = ["roi_reports.reports.pdf", "weasyprint", "matplotlib.backends.backend_agg"]
        context.set_forkserver_preload(preload)
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(memory_mb, os.getpid())
    )


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
) -> dict[Scope, Path]:
    """One PDF per scope in `out_dir`, named by `unique_pdf_names` (deterministic).

    Models are computed here, each handed to a process pool of `workers` processes
    (default: every core) as soon as it is built, so the two overlap; each report is
    rendered within [output] pdf_timeout_s and pdf_memory_mb.
    `progress` is called as each file is done. With a `failures` dict, a report that
    cannot be made (e.g. a character no font has) is recorded there and left out, and the
    others are still made; without one the first such error is raised. Pass the `memo`
    other models of the same dataset and period were built with to share its tables.
    """
    names = unique_pdf_names(scopes)
    paths = {scope: Path(out_dir) / name for scope, name in names.items()}
    memo = {} if memo is None else memo  # team-wide tables, computed once for all scopes

    def job(scope: Scope) -> tuple[ReportModel, Config, Path]:
        model = build_report_model(dataset, config, period, scope, inputs, memo)
        return model, config, paths[scope]

    def finished(scope: Scope, outcome: Callable[[], object]) -> None:
        try:
            outcome()
        except RoiReportsError as exc:
            if failures is None:
                raise
            failures[scope] = str(exc)
        if progress:
            progress(scope)

    # always in worker processes, even for one report: the limits apply per process
    workers = max(1, min(workers or os.cpu_count() or 1, len(paths)))
    if paths:
        with _pool(workers, config.output.pdf_memory_mb) as pool:
            # each model is submitted as soon as it is built: building overlaps rendering
            futures = {pool.submit(_render_job, job(scope)): scope for scope in paths}
            for future in as_completed(futures):
                finished(futures[future], future.result)
    return {scope: path for scope, path in paths.items() if scope not in (failures or {})}
