"""What the commands share: arguments, options, and where settings come from."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click
import pandas as pd

from roi_reports.config import Config, load_config
from roi_reports.ingest.presets import PRESET_CHOICES
from roi_reports.jobs.workdir import WorkDir
from roi_reports.output import to_text_table
from roi_reports.validation import PROBLEM_COLUMNS, ValidationReport

FILES_HINT = "choose another --period or add files with rows for it"


report_period_option = click.option(
    "--period",
    metavar="P",
    default="previous-month",
    show_default=True,
    help="2026-10, 2026-Q3, 2026 or previous-month (in [report] timezone).",
)
files_argument = click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
)


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


def file_config(path: Path | None) -> Config:
    if path is None and Path("roi-reports.toml").is_file():
        path = Path("roi-reports.toml")
    return load_config(path)


preset_option = click.option(
    "--preset",
    type=click.Choice(PRESET_CHOICES),
    help="Read platform exports with this preset (default from [input] preset: auto, which "
    "recognises Google Ads, Meta Ads, LinkedIn, Microsoft Advertising, TikTok, GA4, "
    "Salesforce, HubSpot, Pipedrive, Shopify and WooCommerce exports by their headers; "
    "none turns that off).",
)


skip_invalid_rows_option = click.option(
    "--skip-invalid-rows",
    is_flag=True,
    help="Keep the valid rows of a file; report the invalid rows as skipped (warnings), "
    "and what they carried (e.g. 3 rows skipped, carrying cost 150.00 and 4 conversions).",
)


def input_config(
    path: Path | None, preset: str | None = None, skip_invalid_rows: bool = False
) -> Config:
    """The config file's settings with the [input] options given on the command line."""
    config = file_config(path)
    changes: dict[str, Any] = {"preset": preset} if preset else {}
    if skip_invalid_rows:
        changes["skip_invalid_rows"] = True
    return dataclasses.replace(config, input=dataclasses.replace(config.input, **changes))


def print_problems(report: ValidationReport, to_stderr: bool) -> None:
    if not report.problems:
        return
    # every cell as text from the problems themselves: a missing row or column prints
    # empty, a row number as written (never "nan" or "25.0", no float column to fill)
    cells = [
        ["" if value is None else str(value) for value in dataclasses.astuple(problem)]
        for problem in report.problems
    ]
    click.echo(to_text_table(pd.DataFrame(cells, columns=list(PROBLEM_COLUMNS))), err=to_stderr)


engine_option = click.option(
    "--engine",
    type=click.Choice(["pandas", "dask"]),
    help="Where rows are summed: pandas in this process, or dask on the cluster of "
    "[engine] scheduler (default from [engine] kind: pandas).",
)


dir_option = click.option(
    "--dir",
    "workdir_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The working folder (made by `roi-reports init`).",
)


def workdir_config(workdir: WorkDir, config_path: Path | None) -> Config:
    return load_config(config_path or (workdir.config if workdir.config.exists() else None))
