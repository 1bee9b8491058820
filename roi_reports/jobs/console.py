"""What the folder-job commands print: progress on stderr, a one-screen summary on stdout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from roi_reports.delivery.deliver import summary_lines
from roi_reports.i18n import gettext_for
from roi_reports.jobs.inbox import IngestSummary

if TYPE_CHECKING:
    from roi_reports.jobs.monthly import RunResult


@contextmanager
def progress_reporter(quiet: bool, verbose: bool) -> Iterator[Callable[[str, str], None]]:
    """A (stage, detail) callback: a live spinner on a terminal, plain lines when verbose."""
    console = Console(stderr=True, soft_wrap=True)
    if quiet:
        yield lambda stage, detail: None
        return
    if verbose or not console.is_terminal:
        yield lambda stage, detail: console.print(
            f"[dim]{stage}:[/dim] {detail}", highlight=False, markup=True
        )
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("starting")
        yield lambda stage, detail: bar.update(task, description=f"{stage}: {detail}")


def ingest_lines(summary: IngestSummary, language: str = "en") -> list[str]:
    _ = gettext_for(language)
    lines = [
        _("accepted   {name} ({rows})").format(name=a.name, rows=_rows(a.rows, language))
        + (_(" – replaces the earlier version") if a.replaced else "")
        for a in summary.accepted
    ]
    lines += [
        _("duplicate  {name} (same content as {same}; archived, not read again)").format(
            name=name, same=same
        )
        for name, same in summary.duplicates
    ]
    lines += [
        _("waiting    {name} (still being written; read the next time)").format(name=name)
        for name in summary.waiting
    ]
    lines += [
        _("QUARANTINE {name}: {reason} ({count} problem(s), see quarantine/{errors})").format(
            name=q.name, reason=q.reason, count=q.problems, errors=q.errors_file
        )
        for q in summary.quarantined
    ]
    return lines


def _rows(rows: dict[str, int], language: str) -> str:
    _ = gettext_for(language)
    parts = [
        _("{count} {sheet} rows").format(count=count, sheet=kind) for kind, count in rows.items()
    ]
    return ", ".join(parts) or _("no rows")


def run_summary(result: RunResult, verbose: bool = False, language: str = "en") -> str:
    """The one screen a person reads after the monthly job, in the report language."""
    _ = gettext_for(language)
    overview = result.overview
    title = _("roi-reports: {title} – period {period}")
    lines = [title.format(title=overview.title, period=result.period.label)]
    ingested = [f"  {line}" for line in ingest_lines(result.ingest, language)]
    lines += ingested or ["  " + _("inbox was empty")]
    headline = ", ".join(
        f"{figure.label} {figure.value}"  # the emails' figures, "(partial)" included
        for figure in (overview.totals[name] for name in ("cost", "revenue", "roi_pct"))
    )
    outputs = result.outputs
    lines += [
        "  " + _("headline: {figures}").format(figures=headline),
        "  " + _("workbook: {path}").format(path=outputs.workbook),
        "  "
        + _("PDFs:     {count} in {folder}").format(
            count=len(outputs.pdfs), folder=outputs.folder / "pdf"
        ),
    ]
    lines += [
        "  " + _("WITHHELD   {report}: {why}").format(report=report, why=why)
        for report, why in result.withheld.items()
    ]
    lines += [f"  {line}" for line in summary_lines(result.deliveries, language)]
    if overview.warnings:
        warned = _("warnings: {count} (see the Data quality sheet)")
        lines.append("  " + warned.format(count=len(overview.warnings)))
    lines.append("  " + _("manifest: {path}").format(path=result.manifest))
    if verbose:
        timings = ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
        lines.append("  " + _("timings:  {timings}").format(timings=timings))
    return "\n".join(lines)
