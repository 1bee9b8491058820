"""The `roi-reports` command line: parse arguments, call the library, map errors to exits.

Exit codes (SPEC §6): 0 done; 1 failed (e.g. invalid input); 2 usage error; 3 done with
quarantined files or failed deliveries. Errors print one line, `Error: …`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import click

from roi_reports import __version__
from roi_reports.config import Config, load_config
from roi_reports.delivery.deliver import any_failed, describe
from roi_reports.errors import InputError, RoiReportsError
from roi_reports.i18n import gettext_for
from roi_reports.jobs.console import ingest_lines, progress_reporter, run_summary
from roi_reports.jobs.inbox import IngestSummary
from roi_reports.jobs.monthly import require_data, run_monthly
from roi_reports.jobs.outputs import scopes_with_data
from roi_reports.jobs.plan import plan_deliveries, plan_lines, preview_dataset
from roi_reports.jobs.resend import resend as resend_reports
from roi_reports.jobs.runlog import run_log
from roi_reports.jobs.watch import watch as watch_inbox
from roi_reports.jobs.workdir import WorkDir, init_workdir, open_workdir
from roi_reports.metrics import KEY_METRICS
from roi_reports.output import problems_csv, to_csv, to_json, to_text_table
from roi_reports.pipeline import (
    compute_metrics,
    load_dataset,
    parse_dimensions,
    read_dataset,
    resolve_period,
)
from roi_reports.presets import PRESET_CHOICES
from roi_reports.reports.excel import summary_file_name, write_workbook
from roi_reports.reports.model import build_report_model
from roi_reports.validation import ValidationReport

FILES_HINT = "choose another --period or add files with rows for it"
TABLE_FIELDS = KEY_METRICS


class RoiGroup(click.Group):
    """Turns library errors into one line on stderr and the exit code of SPEC §6."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            _print_problems(exc.report, to_stderr=True)
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except RoiReportsError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("ROI_REPORTS_DEBUG"):
                raise
            click.echo(
                f"Error: unexpected internal error ({type(exc).__name__}: {exc}); "
                "rerun with ROI_REPORTS_DEBUG=1 to see the traceback and report it",
                err=True,
            )
            sys.exit(1)


files_argument = click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
# Two options because the commands look for a settings file in different places (see
# `_config` and `_workdir_config`); the help must say which.
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file. Without it ./roi-reports.toml (in the current folder) is read "
    "when it exists, else the defaults apply.",
)
workdir_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file. Without it the working folder's roi-reports.toml (see --dir) "
    "is read when it exists, else the defaults apply.",
)


def _config(path: Path | None) -> Config:
    if path is None and Path("roi-reports.toml").is_file():
        path = Path("roi-reports.toml")
    return load_config(path)


preset_option = click.option(
    "--preset",
    type=click.Choice(PRESET_CHOICES),
    help="Read ad-platform exports with this preset (default from [input] preset: auto, "
    "which recognises Google Ads, Meta Ads and LinkedIn exports by their headers).",
)
skip_invalid_rows_option = click.option(
    "--skip-invalid-rows",
    is_flag=True,
    help="Keep the valid rows of a file; report the invalid rows as skipped (warnings).",
)


def _input_config(
    path: Path | None, preset: str | None = None, skip_invalid_rows: bool = False
) -> Config:
    """The config file's settings with the [input] options given on the command line."""
    config = _config(path)
    changes: dict[str, Any] = {"preset": preset} if preset else {}
    if skip_invalid_rows:
        changes["skip_invalid_rows"] = True
    return dataclasses.replace(config, input=dataclasses.replace(config.input, **changes))


@click.group(cls=RoiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="roi-reports")
def cli() -> None:
    """Turn results and cost spreadsheets into trustworthy ROI reports.

    Reads canonical sheets (results, costs, targets, fx_rates) from .xlsx, .xlsm, .xls
    and .ods workbooks and .csv, .tsv or .txt files, and computes ROI metrics per
    channel, employee, campaign and period.
    """


@cli.command()
@files_argument
@click.option(
    "--by",
    "by",
    default="",
    metavar="DIMS",
    help="Group by: comma-separated channel, employee, campaign, category, "
    "month, quarter, year (default: one total).",
)
@click.option(
    "--period", metavar="P", help="2026-10, 2026-Q3, 2026 or previous-month (default: all data)."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "csv", "table"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--fields",
    metavar="NAMES",
    help="Only these metric columns (comma-separated); table shows the key "
    "ones by default, json and csv show all.",
)
@click.option(
    "--compare",
    is_flag=True,
    help="Add _prev, _change and _change_pct columns for the previous period "
    "of the same length (needs --period).",
)
@config_option
@preset_option
@skip_invalid_rows_option
def metrics(
    files: tuple[Path, ...],
    by: str,
    period: str | None,
    output_format: str,
    fields: str | None,
    compare: bool,
    config_path: Path | None,
    preset: str | None,
    skip_invalid_rows: bool,
) -> None:
    """Compute ROI metrics from FILES.

    \b
    Examples:
      roi-reports metrics sample_data/roi-sample.xlsx
      roi-reports metrics --by channel,month --format json results.xlsx
      roi-reports metrics --by employee --period 2026-10 --compare team.xlsx
    """
    config = _input_config(config_path, preset, skip_invalid_rows)
    dims = parse_dimensions(by)
    dataset = load_dataset(files, config)
    table = compute_metrics(dataset, config, by=dims, period=period, compare=compare)
    wanted = _fields(fields, output_format, table.columns, dims)
    table = table[[*dims, *wanted]]
    if output_format == "json":
        click.echo(to_json(table))
    elif output_format == "csv":
        click.echo(to_csv(table), nl=False)
    else:
        click.echo(to_text_table(table, dims))
    for warning in dataset.report.warnings:
        click.echo(f"Warning: {warning.one_line()}", err=True)


def _fields(
    fields: str | None, output_format: str, columns: Any, dims: tuple[str, ...]
) -> list[str]:
    available = [c for c in columns if c not in dims]
    if fields:
        wanted = [f.strip() for f in fields.split(",") if f.strip()]
        unknown = [f for f in wanted if f not in available]
        if unknown:
            raise click.UsageError(
                f"unknown field {unknown[0]!r}; available: {', '.join(available)}"
            )
        return wanted
    if output_format == "table":
        extra = ("roi_pct_change", "target_attainment_pct")
        return [c for c in available if c in TABLE_FIELDS or c in extra]
    return available


@cli.command()
@files_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="How to print the problems.",
)
@config_option
@preset_option
@skip_invalid_rows_option
def validate(
    files: tuple[Path, ...],
    output_format: str,
    config_path: Path | None,
    preset: str | None,
    skip_invalid_rows: bool,
) -> None:
    """Check FILES and list every problem in every file.

    Each problem names the file, sheet, Excel row, column, value, the rule it breaks and
    how to fix it. Exits 1 when any file is invalid, 0 when all are valid (warnings
    alone do not fail). Reads .xlsx, .xlsm, .xls, .ods and .csv (any common delimiter and
    encoding); Google Ads, Meta Ads and LinkedIn exports are recognised by their headers.
    """
    config = _input_config(config_path, preset, skip_invalid_rows)
    dataset = read_dataset(files, config)
    report = dataset.report
    if output_format == "json":
        click.echo(report.to_frame().to_json(orient="records", force_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(problems_csv(report), nl=False)
    else:
        _print_problems(report, to_stderr=False)
        for note in dataset.notes:
            click.echo(f"Note: {note}")
    if not report.ok:
        raise RoiReportsError(report.summary())
    if output_format == "table":
        rows = len(dataset.results) + len(dataset.costs)
        click.echo(f"OK: {len(files)} file(s) valid, {rows} result and cost rows")


def _print_problems(report: ValidationReport, to_stderr: bool) -> None:
    if not report.problems:
        return
    frame = report.to_frame().fillna("").astype(str)
    frame["row"] = frame["row"].str.replace(r"\.0$", "", regex=True)
    click.echo(to_text_table(frame), err=to_stderr)


dir_option = click.option(
    "--dir",
    "workdir_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The working folder (made by `roi-reports init`).",
)


def _workdir_config(workdir: WorkDir, config_path: Path | None) -> Config:
    return load_config(config_path or (workdir.config if workdir.config.exists() else None))


@cli.command()
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


@cli.command()
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
    config = _workdir_config(workdir, config_path)
    stop = threading.Event()

    def report(summary: IngestSummary) -> None:
        for line in ingest_lines(summary, config.report.language):
            click.echo(line)

    click.echo(f"Watching {workdir.inbox} (Ctrl-C to stop)")
    try:
        watch_inbox(workdir, config, report, stop, settle_s=settle)
    except KeyboardInterrupt:
        stop.set()
    click.echo("Stopped watching")


@cli.command()
@files_argument
@click.option(
    "--period",
    metavar="P",
    default="previous-month",
    show_default=True,
    help="2026-10, 2026-Q3, 2026 or previous-month.",
)
@click.option(
    "--scope",
    "scope_texts",
    multiple=True,
    metavar="SCOPE",
    help="all, channel:NAME, employee:NAME, campaign:NAME, or each (the executive summary "
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

    config = _config(config_path)
    dataset = load_dataset(files, config)
    when = resolve_period(period, config.report)
    assert when is not None  # a period text always resolves or raises
    require_data(dataset, when, hint=FILES_HINT)
    scopes: list[Scope] = []
    for text in scope_texts or ("all",):
        found = default_scopes(dataset, config, when) if text == "each" else [Scope.parse(text)]
        scopes.extend(s for s in found if s not in scopes)
    _require_scopes(scopes, build_report_model(dataset, config, when, config.report.now()))
    done = 0

    def progress(scope: Scope) -> None:
        nonlocal done
        done += 1
        click.echo(f"[{done}/{len(scopes)}] {scope.label}", err=True)

    written = render_reports(
        dataset, config, when, config.report.now(), scopes, output_dir, files, progress, workers
    )
    for path in written.values():
        click.echo(str(path))
    for warning in dataset.report.warnings:
        click.echo(f"Warning: {warning.one_line()}", err=True)


@cli.command()
@files_argument
@click.option(
    "--period",
    metavar="P",
    default="previous-month",
    show_default=True,
    help="2026-10, 2026-Q3, 2026 or previous-month (in the configured time zone).",
)
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
    config = _config(config_path)
    settings = config.report
    dataset = load_dataset(files, config)
    resolved = resolve_period(period, settings)
    assert resolved is not None  # period text is always given (it has a default)
    require_data(dataset, resolved, hint=FILES_HINT)
    model = build_report_model(dataset, config, resolved, settings.now(), inputs=files)
    path = write_workbook(model, output or Path(summary_file_name(model)), settings.language)
    for warning in dataset.report.warnings:
        click.echo(f"Warning: {warning.one_line()}", err=True)
    click.echo(str(path))


@cli.command("send-test")
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

    config = _config(config_path)
    attempts = send_test_message(config, to)
    email = config.email
    click.echo(
        f"Sent a test message to {to} via {email.host}:{email.port} "
        f"(security {email.security}, {attempts} attempt(s))"
    )


@cli.command()
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
@click.option("--force", is_flag=True, help="Resend reports already emailed for this period.")
@click.option(
    "--plan",
    "show_plan",
    is_flag=True,
    help="Only print the send plan (as `roi-reports plan`); nothing is read, written or sent.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress; the summary only on problems.")
@click.option("--verbose", "-v", is_flag=True, help="Every step on its own line, and timings.")
def run(
    workdir_path: Path,
    config_path: Path | None,
    period: str | None,
    send: bool | None,
    force: bool,
    show_plan: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Run the monthly job in the working folder.

    \b
    1. Ingest inbox/: valid files are stored and moved to archive/YYYY-MM/, invalid
       ones to quarantine/ beside <name>.errors.csv.
    2. Compute the period (default: the previous month).
    3. Write out/<period>/: roi-summary-<period>.xlsx, pdf/, manifest.json.
    4. Email each stakeholder the reports of their scope, once (a ledger remembers),
       or write the messages to outbox/<period>/.

    A log of the run goes to logs/. Exit codes: 0 done, 1 failed, 2 usage error,
    3 done with quarantined files or failed deliveries.
    """
    workdir = open_workdir(workdir_path)
    config = _workdir_config(workdir, config_path)
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


@cli.command()
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
    _print_plan(workdir, _workdir_config(workdir, config_path), period, send, output_format)


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


def _print_plan(
    workdir: WorkDir, config: Config, period_text: str | None, send: bool | None, fmt: str
) -> None:
    now = config.report.now()
    period = resolve_period(period_text or "previous-month", config.report, now.date())
    assert period is not None  # a text was given
    dataset = preview_dataset(workdir, config)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    require_data(dataset, period)
    sending = config.email.enabled if send is None else send
    send_plan = plan_deliveries(workdir, dataset, config, period, now, sending)
    if fmt == "json":
        click.echo(json.dumps(send_plan.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(plan_lines(send_plan, workdir.outbox / period.label)))


@cli.command()
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
    config = _workdir_config(workdir, config_path)
    when = resolve_period(period, config.report)
    assert when is not None  # a text was given
    results = resend_reports(workdir, config, when.label, address, config.report.now())
    for result in results:
        click.echo(describe(result, config.report.language))
    if any_failed(results):
        sys.exit(3)


def main() -> None:
    cli(prog_name="roi-reports")


if __name__ == "__main__":
    main()
