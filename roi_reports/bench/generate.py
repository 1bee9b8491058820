"""Deterministic, realistic bench inputs: a year of daily results and costs.

Inputs are written once per size under `.bench/inputs-<rows>/` (xlsxwriter in
constant-memory mode, so generating a million rows stays lean) and reused afterwards.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import xlsxwriter

from roi_reports.sample import COST_HEADER, RESULT_HEADER

CHANNELS = (
    "Trade fairs",
    "LinkedIn",
    "Networking events",
    "Influencers",
    "Google Ads",
    "Meta Ads",
    "Webinars",
)
CATEGORIES = ("ad spend", "fees", "travel", "tickets", "booth", "content")
CAMPAIGNS = 50
EMPLOYEES = 200
YEAR = 2025
WORKBOOKS = 4  # one per quarter, as a team would export them
PDF_REPORTS = 100  # the executive summary, one per channel, the rest per employee
PERIOD = f"{YEAR}-12"


@dataclass(frozen=True)
class BenchInputs:
    folder: Path
    files: tuple[Path, ...]
    config: Path  # roi-reports.toml with the stakeholders that make PDF_REPORTS PDFs
    rows: int
    cost_rows: int


def campaign_name(index: int) -> str:
    return f"Campaign {index + 1:02d}"


def campaign_channel(index: int) -> str:
    return CHANNELS[index % len(CHANNELS)]


def employee_name(index: int) -> str:
    return f"Employee {index + 1:03d}"


def _days(rng: np.random.Generator, n: int, quarter: int) -> np.ndarray:
    first = date(YEAR, quarter * 3 + 1, 1)
    last = date(YEAR + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
    return first.toordinal() + rng.integers(0, (last - first).days, n)


def result_rows(rng: np.random.Generator, n: int, quarter: int) -> Iterator[list[object]]:
    ordinals = _days(rng, n, quarter)
    campaigns = rng.integers(0, CAMPAIGNS, n)
    employees = rng.integers(0, EMPLOYEES, n)
    contacts = rng.integers(1, 120, n)
    conversions = rng.binomial(contacts, 0.12)
    # cents from a wide range make exact duplicate rows (a validation warning) vanishingly rare
    revenue = np.round(conversions * rng.uniform(40, 900, n), 2)
    margin = np.round(revenue * rng.uniform(0.3, 0.6, n), 2)
    for i in range(n):
        yield [
            date.fromordinal(int(ordinals[i])),
            campaign_channel(int(campaigns[i])),
            campaign_name(int(campaigns[i])),
            employee_name(int(employees[i])),
            int(contacts[i]),
            int(conversions[i]),
            float(revenue[i]),
            float(margin[i]),
            "EUR",
        ]


def cost_rows(rng: np.random.Generator, n: int, quarter: int) -> Iterator[list[object]]:
    ordinals = _days(rng, n, quarter)
    campaigns = rng.integers(0, CAMPAIGNS, n)
    employees = rng.integers(0, EMPLOYEES, n)
    categories = rng.integers(0, len(CATEGORIES), n)
    amount = np.round(rng.uniform(5, 3000, n), 2)
    shared = rng.random(n) < 0.02  # team-wide costs without an employee
    for i in range(n):
        yield [
            date.fromordinal(int(ordinals[i])),
            campaign_channel(int(campaigns[i])),
            campaign_name(int(campaigns[i])),
            None if shared[i] else employee_name(int(employees[i])),
            CATEGORIES[int(categories[i])],
            float(amount[i]),
            "EUR",
        ]


def _write_sheet(
    workbook: xlsxwriter.Workbook, name: str, header: Sequence[str], rows: Iterator[list[object]]
) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, header)
    for index, row in enumerate(rows, start=1):  # constant_memory: strictly row by row
        sheet.write_row(index, 0, row)


def write_workbook(path: Path, seed: int, results: int, costs: int, quarter: int) -> Path:
    rng = np.random.default_rng(seed)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    options = {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    with xlsxwriter.Workbook(str(temp), options) as workbook:
        _write_sheet(workbook, "Results", RESULT_HEADER, result_rows(rng, results, quarter))
        _write_sheet(workbook, "Costs", COST_HEADER, cost_rows(rng, costs, quarter))
    os.replace(temp, path)
    return path


def config_text() -> str:
    """Executive summary + 7 channel reports + employee stakeholders = PDF_REPORTS PDFs."""
    lines = [
        "[report]",
        'currency = "EUR"',
        "",
        "[output]",
        'pdf_scopes = ["all", "channel"]',
        "",
        "[email]",
        'sender = "roi-reports@example.com"',
    ]
    for index in range(PDF_REPORTS - 1 - len(CHANNELS)):
        name = employee_name(index)
        slug = name.lower().replace(" ", ".")
        lines += ["", "[[stakeholders]]", f'name = "{name}"']
        lines += [f'email = "{slug}@example.com"', f'scope = "employee:{name}"']
    return "\n".join(lines) + "\n"


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (i < total % parts) for i in range(parts)]


def ensure_inputs(root: Path, rows: int, cost_rows: int | None = None) -> BenchInputs:
    """Generate the inputs for `rows` result rows unless they already exist (then reuse)."""
    costs = rows // 10 if cost_rows is None else cost_rows
    folder = root / f"inputs-{rows}-{costs}"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for quarter, (n_results, n_costs) in enumerate(
        zip(split(rows, WORKBOOKS), split(costs, WORKBOOKS), strict=True)
    ):
        path = folder / f"sales-{YEAR}-q{quarter + 1}.xlsx"
        if not path.exists():
            write_workbook(
                path, seed=YEAR * 10 + quarter, results=n_results, costs=n_costs, quarter=quarter
            )
        files.append(path)
    config = folder / "roi-reports.toml"
    config.write_text(config_text(), encoding="utf-8")
    (folder / "sizes.json").write_text(json.dumps({"rows": rows, "cost_rows": costs}))
    return BenchInputs(folder, tuple(files), config, rows, costs)
