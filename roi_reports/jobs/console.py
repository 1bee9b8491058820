"""What the folder-job commands print: progress on stderr, a one-screen summary on stdout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from roi_reports.delivery.deliver import summary_lines
from roi_reports.jobs.inbox import IngestSummary
from roi_reports.reports.formatting import format_metric

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


def ingest_lines(summary: IngestSummary) -> list[str]:
    lines = [
        f"accepted   {a.name} ({_rows(a.rows)})"
        + (" – replaces the earlier version" if a.replaced else "")
        for a in summary.accepted
    ]
    lines += [
        f"duplicate  {name} (same content as {same}; archived, not read again)"
        for name, same in summary.duplicates
    ]
    lines += [
        f"QUARANTINE {q.name}: {q.problems} problem(s), see quarantine/{q.errors_file}"
        for q in summary.quarantined
    ]
    return lines


def _rows(rows: dict[str, int]) -> str:
    return ", ".join(f"{count} {kind} rows" for kind, count in rows.items()) or "no rows"


def run_summary(result: RunResult, verbose: bool = False) -> str:
    """The one screen a person reads after the monthly job."""
    model = result.model
    lines = [f"roi-reports: {model.title} – period {result.period.label}"]
    lines += [f"  {line}" for line in ingest_lines(result.ingest)] or ["  inbox was empty"]
    headline = ", ".join(
        f"{label} {format_metric(name, model.kpi(name), model.currency)}"
        for name, label in (("cost", "cost"), ("revenue", "revenue"), ("roi_pct", "ROI"))
    )
    lines.append(f"  headline: {headline}")
    outputs = result.outputs
    lines.append(f"  workbook: {outputs.workbook}")
    lines.append(f"  PDFs:     {len(outputs.pdfs)} in {outputs.folder / 'pdf'}")
    lines += [f"  {line}" for line in summary_lines(result.deliveries)]
    if model.warnings:
        lines.append(f"  warnings: {len(model.warnings)} (see the Data quality sheet)")
    lines.append(f"  manifest: {result.manifest}")
    if verbose:
        lines.append(
            "  timings:  " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items())
        )
    return "\n".join(lines)
