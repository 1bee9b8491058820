"""The folder-job commands: `init`, `watch`, `run`, `plan` and `resend`."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Literal

import click

from roi_reports.commands.common import (
    dir_option,
    engine_option,
    workdir_config,
    workdir_config_option,
)
from roi_reports.config import Config
from roi_reports.delivery.deliver import any_failed, describe
from roi_reports.engine import with_engine
from roi_reports.errors import InputError
from roi_reports.i18n import gettext_for
from roi_reports.jobs.console import ingest_lines, progress_reporter, run_summary
from roi_reports.jobs.inbox import IngestSummary
from roi_reports.jobs.monthly import require_data, run_monthly
from roi_reports.jobs.people import read_people_file, with_people
from roi_reports.jobs.plan import plan_deliveries, plan_lines, preview_dataset
from roi_reports.jobs.resend import approve as approve_period
from roi_reports.jobs.resend import resend as resend_reports
from roi_reports.jobs.runlog import run_log
from roi_reports.jobs.watch import watch as watch_inbox
from roi_reports.jobs.workdir import WorkDir, init_workdir, open_workdir
from roi_reports.pipeline import (
    resolve_period,
)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--language",
    type=click.Choice(["en", "fi", "fa"]),
    default="en",
    show_default=True,
    help="Reports in this language; the sample sheets get Finnish or Persian headers.",
)
def init(directory: Path, language: str) -> None:
    """Create a working folder in DIRECTORY for the monthly job.

    It gets a commented roi-reports.toml, inbox/ (with the sample sheets, so the first
    `roi-reports run` works), archive/, quarantine/, out/, outbox/, logs/ and store/.
    """
    workdir = init_workdir(directory, language)
    click.echo(f"Created {workdir.root}")
    click.echo(f"  settings: {workdir.config}")
    click.echo(f"  drop spreadsheets into {workdir.inbox}/, then run:")
    click.echo(f"  roi-reports run --dir {directory}")


@click.command()
@dir_option
@workdir_config_option
@click.option(
    "--settle",
    type=click.FloatRange(min=0.1),
    default=2.0,
    show_default=True,
    help="Seconds a file must stop changing before it is read.",
)
def watch(workdir_path: Path, config_path: Path | None, settle: float) -> None:
    """Run the inbox step whenever files arrive in the working folder's inbox/.

    Accepted files are stored and archived, invalid ones quarantined with their error
    list, exactly as `roi-reports run` does; reports are made by `run`. Stop with Ctrl-C.
    """
    workdir = open_workdir(workdir_path)
    config = workdir_config(workdir, config_path)
    stop = threading.Event()

    def report(summary: IngestSummary) -> None:
        for line in ingest_lines(summary, config.report.language):
            click.echo(line)

    click.echo(f"Watching {workdir.inbox} (Ctrl-C to stop)")
    try:
        watch_inbox(
            workdir,
            config,
            report,
            stop,
            settle_s=settle,
            on_error=lambda message: click.echo(f"Error: {message}; still watching", err=True),
        )
    except KeyboardInterrupt:
        stop.set()
    click.echo("Stopped watching")


@click.command()
@dir_option
@workdir_config_option
@click.option(
    "--period",
    metavar="P",
    help="2026-10, 2026-Q3, 2026 or previous-month (the default, in [report] timezone).",
)
@click.option(
    "--send/--no-send",
    "send",
    default=None,
    help="Email the stakeholders, or write the messages to outbox/<period>/ as .eml "
    "files (default: [email] enabled in the config).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Resend reports already emailed (or possibly sent) for this period.",
)
@click.option(
    "--plan",
    "show_plan",
    is_flag=True,
    help="Only print the send plan (as `roi-reports plan`); nothing is read, written or sent.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress; the summary only on problems.")
@click.option("--verbose", "-v", is_flag=True, help="Every step on its own line, and timings.")
@engine_option
def run(
    workdir_path: Path,
    config_path: Path | None,
    period: str | None,
    send: bool | None,
    force: bool,
    show_plan: bool,
    quiet: bool,
    verbose: bool,
    engine: Literal["pandas", "dask"] | None,
) -> None:
    """Run the monthly job in the working folder.

    \b
    1. Ingest inbox/: valid files are stored and moved to archive/YYYY-MM/, invalid
       ones to quarantine/ beside <name>.errors.csv.
    2. Compute the period (default: the previous month).
    3. Write out/<period>/: roi-summary-<period>.xlsx, pdf/, manifest.json. When
       nothing they are made from changed since the last run, its files, recipients
       and figures are reused as its manifest records them (nothing is recomputed).
    4. Email each stakeholder the reports of their scope, once (a ledger remembers),
       or write the messages to outbox/<period>/. One connection carries them all,
       at the pace of [email] max_per_minute / max_per_connection; the server's
       throttle answers pause the sending; over [email] max_per_day the rest are
       deferred to the next run.

    A log of the run goes to logs/. Exit codes: 0 done (deferred deliveries
    included), 1 failed, 2 usage error, 3 done with quarantined files, failed
    deliveries or a message possibly sent (handed over, never confirmed).
    """
    workdir = open_workdir(workdir_path)
    config = with_engine(workdir_config(workdir, config_path), engine)
    if show_plan:
        _print_plan(workdir, config, period, send, "table")
        return
    now = config.report.now()
    with (
        run_log(workdir.logs, now, verbose) as log_path,
        progress_reporter(quiet, verbose) as progress,
    ):
        result = run_monthly(workdir, config, period, now, send, force, progress)
    if not quiet or result.exit_code:
        _ = gettext_for(config.report.language)
        click.echo(run_summary(result, verbose, config.report.language))
        click.echo("  " + _("log:      {path}").format(path=log_path))
    if result.exit_code:
        sys.exit(result.exit_code)


@click.command()
@dir_option
@workdir_config_option
@click.option(
    "--period", metavar="P", help="2026-10, 2026-Q3, 2026 or previous-month (the default)."
)
@click.option(
    "--send/--no-send",
    "send",
    default=None,
    help="Plan as for `run --send` or `run --no-send` (default: [email] enabled).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json for scripts.",
)
def plan(
    workdir_path: Path,
    config_path: Path | None,
    period: str | None,
    send: bool | None,
    output_format: str,
) -> None:
    """Show who the monthly job would send which files to, without doing it.

    For each stakeholder: the files of their scope with sizes (from the period's last
    run, when there was one), whether the ledger says they already got this period's
    report, and their headline figures against the previous period. Files waiting in
    inbox/ are included as the next run would read them. Nothing is moved, written or
    sent.
    """
    workdir = open_workdir(workdir_path)
    _print_plan(workdir, workdir_config(workdir, config_path), period, send, output_format)


def _print_plan(
    workdir: WorkDir, config: Config, period_text: str | None, send: bool | None, fmt: str
) -> None:
    now = config.report.now()
    period = resolve_period(period_text or "previous-month", config.report, now.date())
    assert period is not None  # a text was given
    dataset = preview_dataset(workdir, config)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    dataset = with_people(dataset, read_people_file(config))
    require_data(dataset, period)
    sending = config.email.enabled if send is None else send
    send_plan = plan_deliveries(workdir, dataset, config, period, sending)
    if fmt == "json":
        click.echo(json.dumps(send_plan.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(plan_lines(send_plan, workdir.outbox / period.label)))


@click.command()
@dir_option
@workdir_config_option
@click.option("--period", metavar="P", required=True, help="The period to approve.")
def approve(workdir_path: Path, config_path: Path | None, period: str) -> None:
    """Approve a period held by [email] require_approval and send its reports.

    Records the approval in the ledger and sends every stakeholder the files of
    out/<period>/ as the run made them (checked against the manifest's hashes). Whoever
    already got them is not mailed again. Exits 3 when a delivery failed.

    \b
    Example:
      roi-reports approve --period 2026-10
    """
    workdir = open_workdir(workdir_path)
    config = workdir_config(workdir, config_path)
    when = resolve_period(period, config.report)
    assert when is not None  # a text was given
    results = approve_period(workdir, config, when.label, config.report.now())
    for result in results:
        click.echo(describe(result, config.report.language))
    if any_failed(results):
        sys.exit(3)


@click.command()
@dir_option
@workdir_config_option
@click.option("--period", metavar="P", required=True, help="The period whose reports to resend.")
@click.option(
    "--to", "address", required=True, metavar="ADDRESS", help="The stakeholder's email address."
)
def resend(workdir_path: Path, config_path: Path | None, period: str, address: str) -> None:
    """Send one stakeholder the period's reports again, exactly as they were made.

    The files are those of out/<period>/ listed in its manifest (they must still match
    the recorded hashes); the send is recorded in the ledger. Only this person gets a
    message. Exits 3 when the server refuses it.

    \b
    Example:
      roi-reports resend --period 2026-10 --to aino.virtanen@example.com
    """
    workdir = open_workdir(workdir_path)
    config = workdir_config(workdir, config_path)
    when = resolve_period(period, config.report)
    assert when is not None  # a text was given
    results = resend_reports(workdir, config, when.label, address, config.report.now())
    for result in results:
        click.echo(describe(result, config.report.language))
    if any_failed(results):
        sys.exit(3)
