"""Builders for test inputs: real workbooks and CSV files in tmp_path, and datasets."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner, Result
from openpyxl import Workbook

from roi_reports.cli import cli
from roi_reports.ingest.dataset import Dataset
from roi_reports.ingest.normalise import FRAME_COLUMNS, empty_frame

RESULTS_HEADER = [
    "date",
    "channel",
    "campaign",
    "employee",
    "contacts",
    "conversions",
    "revenue",
    "gross_profit",
    "currency",
]
COSTS_HEADER = ["date", "channel", "campaign", "employee", "category", "amount", "currency"]


def write_workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    """An .xlsx with one sheet per entry; rows include the header row."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(
    path: Path, rows: Sequence[Sequence[Any]], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def cli_json(*args: str) -> list[dict[str, Any]]:
    result = run_cli(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def make_dataset(
    results: Sequence[Mapping[str, Any]] = (), costs: Sequence[Mapping[str, Any]] = ()
) -> Dataset:
    """A Dataset straight from records (no files): `date` becomes the row's start and end."""
    return Dataset(
        results=_frame("results", results),
        costs=_frame("costs", costs),
        targets=empty_frame("targets"),
        fx_rates=empty_frame("fx_rates"),
    )


def _frame(kind: str, records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    template = empty_frame(kind)  # type: ignore[arg-type]
    if not records:
        return template
    rows = []
    for number, record in enumerate(records, start=2):
        day = pd.Timestamp(record.get("date", date(2026, 10, 1)))
        row: dict[str, Any] = {
            "start": day,
            "end": day,
            "file": "test.xlsx",
            "sheet": kind,
            "row": number,
            "currency": "EUR",
        }
        row.update({k: v for k, v in record.items() if k != "date"})
        rows.append(row)
    frame = pd.DataFrame(rows).reindex(columns=list(FRAME_COLUMNS[kind]))  # type: ignore[index]
    return frame.astype(template.dtypes.to_dict())


def pdf_text(path: Path, layout: bool = False) -> str:
    """A PDF's text as poppler's pdftotext extracts it (`-layout`: in page columns)."""
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout
