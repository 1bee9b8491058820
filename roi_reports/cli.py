"""The `roi-reports` command line: parse arguments, call the library, map errors to exits.

Exit codes (SPEC §6): 0 done; 1 failed (e.g. invalid input); 2 usage error; 3 done with
quarantined files or failed deliveries. Errors print one line, `Error: …`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import click

from roi_reports import __version__
from roi_reports.commands import jobs, reports
from roi_reports.commands.common import (
    config_option,
    engine_option,
    files_argument,
    input_config,
    preset_option,
    print_problems,
    skip_invalid_rows_option,
)
from roi_reports.config import Config
from roi_reports.diskfull import disk_full_message, quiet_unraisable_disk_full
from roi_reports.engine import engine_dataset, expand, export_sources, is_export, with_engine
from roi_reports.errors import InputError, RoiReportsError, UsageError
from roi_reports.fonts import covered, stylesheet_families, unprintable_cells
from roi_reports.ingest.dataset import Dataset
from roi_reports.metrics import KEY_METRICS
from roi_reports.org import ORG_DIMENSIONS, org_warnings
from roi_reports.output import problems_csv, to_csv, to_json, to_text_table
from roi_reports.pipeline import (
    compute_metrics,
    load_dataset,
    parse_dimensions,
    read_dataset,
)
from roi_reports.reports.unknown_notes import unknown_notes
from roi_reports.validation import Problem

TABLE_FIELDS = KEY_METRICS


class RoiGroup(click.Group):
    """Turns library errors into one line on stderr and the exit code of SPEC §6."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            print_problems(exc.report, to_stderr=True)
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
            full = disk_full_message(exc)  # a write outside the job's named steps
            if full:
                click.echo(f"Error: {full}", err=True)
                sys.exit(1)
            click.echo(
                f"Error: unexpected internal error ({type(exc).__name__}: {exc}); "
                "rerun with ROI_REPORTS_DEBUG=1 to see the traceback and report it",
                err=True,
            )
            sys.exit(1)


@click.group(cls=RoiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="roi-reports")
def cli() -> None:
    """Turn results and cost spreadsheets into trustworthy ROI reports.

    Reads canonical sheets (results, costs, targets, fx_rates) from .xlsx, .xlsm, .xls
    and .ods workbooks and .csv, .tsv or .txt files, and computes ROI metrics per
    channel, employee, campaign and period.
    """


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--by",
    "by",
    default="",
    metavar="DIMS",
    help="Group by: comma-separated channel, employee, campaign, category, team, region, "
    "month, quarter, year (default: one total). team and region come from an employees "
    "sheet among FILES.",
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
@engine_option
def metrics(
    files: tuple[str, ...],
    by: str,
    period: str | None,
    output_format: str,
    fields: str | None,
    compare: bool,
    config_path: Path | None,
    preset: str | None,
    skip_invalid_rows: bool,
    engine: Literal["pandas", "dask"] | None,
) -> None:
    """Compute ROI metrics from FILES.

    FILES are workbooks or CSV files, or Parquet/CSV exports with canonical headers, one
    table per file; quote a glob ('exports/*.parquet') to let the engine expand it.

    A value the files do not carry (the revenue of a lead-gen ad export, the contacts of
    a CRM export) is unknown, never 0: figures that need it are null, or partial sums of
    the rows that know it. JSON and CSV say so per group (results_rows,
    revenue_unknown_rows, revenue_unknown_in, contacts_unknown_rows,
    contacts_unknown_in); the table prints a Note line.

    \b
    Examples:
      roi-reports metrics sample_data/roi-sample.xlsx
      roi-reports metrics --by channel,month --format json results.xlsx
      roi-reports metrics --by employee --period 2026-10 --compare team.xlsx
      roi-reports metrics --engine dask --by channel 'exports/*.parquet'
    """
    config = with_engine(input_config(config_path, preset, skip_invalid_rows), engine)
    dims = parse_dimensions(by)
    dataset = metrics_dataset(expand(files), config)
    table = compute_metrics(dataset, config, by=dims, period=period, compare=compare)
    wanted = _fields(fields, output_format, table.columns, dims)
    full, table = table, table[[*dims, *wanted]]
    if output_format == "json":
        click.echo(to_json(table))
    elif output_format == "csv":
        click.echo(to_csv(table), nl=False)
    else:
        click.echo(to_text_table(table, dims))
        # the table has no room for them: say which figures are partial or unknown, and why
        for line in unknown_notes(full, dims, "total"):
            click.echo(f"Note: {line}", err=True)
    warnings = list(dataset.report.warnings)
    if any(d in ORG_DIMENSIONS for d in dims):
        warnings += org_warnings(dataset.fine, dataset.employees)
    for warning in warnings:
        click.echo(f"Warning: {warning.one_line()}", err=True)


def metrics_dataset(paths: list[str], config: Config) -> Dataset:
    """Workbooks through the readers (pandas); exports through the configured engine.

    Parquet is always an export, and so is CSV beside Parquet or on the Dask engine; CSV
    alone on the pandas engine is read like a workbook (title rows, any headers).
    """
    dask = config.engine.kind == "dask"
    if not dask and not any(is_export(p) and not p.lower().endswith(".csv") for p in paths):
        return load_dataset([Path(p) for p in paths], config)
    if config.input.skip_invalid_rows:
        raise UsageError(
            "--skip-invalid-rows works on workbooks and CSV files read by the pandas engine, "
            "not on Parquet/CSV exports read as partitions; fix or filter the export's rows"
        )
    others = [p for p in paths if not is_export(p)]
    if others:
        raise UsageError(
            f"{others[0]} is not a Parquet or CSV export: read workbooks with --engine pandas "
            "and without Parquet files"
        )
    return engine_dataset(export_sources(paths, config), config)


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
    alone do not fail: a negative cost or revenue is a credit note or refund, counted and
    listed as a warning; a value an export does not carry, such as the revenue of a
    lead-gen Google Ads export, is unknown and said so). Reads .xlsx, .xlsm, .xls, .ods
    and .csv (any common delimiter and encoding); ad-platform, analytics, CRM and shop
    exports (Google Ads, Meta Ads, LinkedIn, Microsoft Advertising, TikTok, GA4,
    Salesforce, HubSpot, Pipedrive, Shopify, WooCommerce) are recognised by their
    headers. `roi-reports inspect FILE` shows how a file is read.
    """
    config = input_config(config_path, preset, skip_invalid_rows)
    dataset = read_dataset(files, config)
    report = dataset.report
    report.extend(unprintable_names(dataset, config))
    if output_format == "json":
        click.echo(report.to_frame().to_json(orient="records", force_ascii=False, indent=2))
    elif output_format == "csv":
        click.echo(problems_csv(report), nl=False)
    else:
        print_problems(report, to_stderr=False)
        for note in dataset.notes:
            click.echo(f"Note: {note}")
    if not report.ok:
        raise RoiReportsError(report.summary())
    if output_format == "table":
        rows = len(dataset.results) + len(dataset.costs)
        people = [
            (len(dataset.employees), "employees"),
            (len(dataset.stakeholders), "stakeholders"),
        ]
        listed = "".join(f", {count} {kind}" for count, kind in people if count)
        click.echo(f"OK: {len(files)} file(s) valid, {rows} result and cost rows{listed}")


@cli.command()
@files_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Print a readable table, or JSON (one object per file).",
)
@config_option
@preset_option
def inspect(
    files: tuple[Path, ...], output_format: str, config_path: Path | None, preset: str | None
) -> None:
    """Show how each of FILES is read, without computing anything.

    For each file: the encoding and delimiter (text files); per sheet the title and
    footer lines left out, the header row, the preset (platform) it was recognised as,
    every source column with the canonical column it feeds or why it is ignored, the
    period rows without a date get, the currency, the rows per table, and a [columns]
    block, ready to paste into roi-reports.toml, for the columns it could not place.

    \b
    Examples:
      roi-reports inspect google-ads-campaign-report.csv
      roi-reports inspect --format json export.csv team.xlsx
    """
    from roi_reports.ingest.inspect import inspect_file, inspection_text

    config = input_config(config_path, preset)
    found = [inspect_file(Path(path), config) for path in files]
    if output_format == "json":
        click.echo(json.dumps(found, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo("\n\n".join(inspection_text(one) for one in found))


def unprintable_names(dataset: Dataset, config: Config) -> list[Problem]:
    """Warnings for names with a character no report font has: `run` would withhold the
    reports that print them (the same check as the renderer's, on the input cells)."""
    from roi_reports.reports.pdf_render import STYLESHEET, template_dirs

    sheets = [d / STYLESHEET for d in template_dirs(config) if (d / STYLESHEET).is_file()]
    points = covered(stylesheet_families(sheets[:1]))
    frames = {"results": dataset.results, "costs": dataset.costs, "targets": dataset.targets}
    return unprintable_cells(frames, points, STYLESHEET)


for command in (
    jobs.init,
    jobs.watch,
    jobs.run,
    jobs.plan,
    jobs.resend,
    jobs.approve,
    reports.excel,
    reports.pdf,
    reports.send_test,
):
    cli.add_command(command)


def main(arguments: Sequence[str] | None = None) -> None:
    """The command line (`roi-reports` goes through `launch.main` first)."""
    quiet_unraisable_disk_full()
    cli(arguments, prog_name="roi-reports")


if __name__ == "__main__":
    main()
