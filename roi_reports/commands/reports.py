"""`excel`, `pdf` and `send-test`: one deliverable from files, or one test message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from roi_reports.commands.common import (
    FILES_HINT,
    config_option,
    file_config,
    files_argument,
    report_period_option,
)
from roi_reports.jobs.monthly import require_data
from roi_reports.jobs.outputs import scopes_with_data
from roi_reports.pipeline import (
    load_dataset,
    resolve_period,
)
from roi_reports.reports.excel import summary_file_name, write_workbook
from roi_reports.reports.model import build_report_model


@click.command()
@files_argument
@report_period_option
@click.option(
    "--scope",
    "scope_texts",
    multiple=True,
    metavar="SCOPE",
    help="all, channel:NAME, employee:NAME, campaign:NAME, team:NAME (teams come from an "
    "employees sheet among FILES), or each (the executive summary "
    "plus every employee and channel with data); repeatable. Default: all.",
)
@click.option(
    "-o",
    "--output-dir",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="reports",
    show_default=True,
    help="Folder the PDFs are written to (created if missing).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes rendering PDFs in parallel (default: every CPU core).",
)
@config_option
def pdf(
    files: tuple[Path, ...],
    period: str,
    scope_texts: tuple[str, ...],
    output_dir: Path,
    workers: int | None,
    config_path: Path | None,
) -> None:
    """Write PDF reports for FILES: an executive summary and one report per scope.

    Prints the path of every PDF written. File names come from the scope
    (executive-summary.pdf, employee-aino-virtanen.pdf, channel-linkedin.pdf).

    \b
    Examples:
      roi-reports pdf --period 2026-10 sample_data/roi-sample.xlsx
      roi-reports pdf --period 2026-10 --scope each -o reports team.xlsx
      roi-reports pdf --period 2026-Q3 --scope "employee:Aino Virtanen" team.xlsx
    """
    from roi_reports.reports.model import Scope
    from roi_reports.reports.pdf import default_scopes, render_reports

    config = file_config(config_path)
    dataset = load_dataset(files, config)
    when = resolve_period(period, config.report)
    assert when is not None  # a period text always resolves or raises
    require_data(dataset, when, hint=FILES_HINT)
    scopes: list[Scope] = []
    for text in scope_texts or ("all",):
        found = default_scopes(dataset, config, when) if text == "each" else [Scope.parse(text)]
        scopes.extend(s for s in found if s not in scopes)
    _require_scopes(scopes, build_report_model(dataset, config, when))
    done = 0

    def progress(scope: Scope) -> None:
        nonlocal done
        done += 1
        click.echo(f"[{done}/{len(scopes)}] {scope.label}", err=True)

    written = render_reports(dataset, config, when, scopes, output_dir, files, progress, workers)
    for path in written.values():
        click.echo(str(path))
    for warning in dataset.report.warnings:
        click.echo(f"Warning: {warning.one_line()}", err=True)


@click.command()
@files_argument
@report_period_option
@config_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Workbook to write (default: roi-summary-<period>.xlsx in the current folder).",
)
def excel(
    files: tuple[Path, ...], period: str, config_path: Path | None, output: Path | None
) -> None:
    """Write the Excel summary workbook for one period of FILES and print its path.

    Sheets: Summary (KPIs with change vs the previous period, top and bottom channels and
    employees, charts), By channel, By employee, By campaign, By month, Costs by category,
    Targets, Data quality and Definitions. Numbers are real numbers with formats.

    \b
    Examples:
      roi-reports excel --period 2026-10 sample_data/roi-sample.xlsx
      roi-reports excel --period 2026-Q3 -o q3.xlsx team.xlsx
    """
    config = file_config(config_path)
    settings = config.report
    dataset = load_dataset(files, config)
    resolved = resolve_period(period, settings)
    assert resolved is not None  # period text is always given (it has a default)
    require_data(dataset, resolved, hint=FILES_HINT)
    model = build_report_model(dataset, config, resolved, inputs=files)
    path = write_workbook(model, output or Path(summary_file_name(model)), settings.language)
    for warning in model.warnings:  # the inputs' and the model's (employees not in the sheet)
        click.echo(f"Warning: {warning.one_line()}", err=True)
    click.echo(str(path))


@click.command("send-test")
@click.option("--to", "to", required=True, metavar="ADDRESS", help="Who gets the test message.")
@config_option
def send_test(to: str, config_path: Path | None) -> None:
    """Send one test message to ADDRESS to check the [email] settings.

    Uses host, port, security, username/password_env and sender from the config, even
    when [email] enabled = false, retries like a real run, and records nothing in the
    ledger. Exits 1 with the server's answer when the message is not accepted.

    \b
    Example:
      ROI_SMTP_PASSWORD=… roi-reports send-test --to you@example.com
    """
    from roi_reports.delivery.deliver import send_test_message

    config = file_config(config_path)
    attempts = send_test_message(config, to)
    email = config.email
    click.echo(
        f"Sent a test message to {to} via {email.host}:{email.port} "
        f"(security {email.security}, {attempts} attempt(s))"
    )


def _require_scopes(scopes: list[Any], model: Any) -> None:
    known = scopes_with_data(model)
    for scope in scopes:
        if scope.kind != "all" and scope not in known:
            kind_names = [str(s.name) for s in known if s.kind == scope.kind]
            shown = ", ".join(kind_names[:8]) + (", …" if len(kind_names) > 8 else "")
            raise click.UsageError(
                f"no data for {scope.label} in {model.period.label}; "
                f"{scope.kind}s with data: {shown or 'none'}"
            )
