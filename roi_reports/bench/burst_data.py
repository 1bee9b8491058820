"""Inputs of `make bench-burst`: a sales organisation of N employees, one month's sheets.

Deterministic: results (four weekly rows per person and month, on two channels), costs
(one per person and month, plus team-wide ones) for September and October, and an
employees sheet (employee, email, team, region, manager_email, language), as CSV files
a team would drop into inbox/.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from roi_reports.bench.generate import CATEGORIES, CHANNELS
from roi_reports.sample import COST_HEADER, RESULT_HEADER

PERIOD = "2026-10"
MONTHS = ((2026, 9), (2026, 10))
TEAMS = 20
REGIONS = ("Finland", "Sweden", "Norway", "Denmark")
EMPLOYEES_HEADER = ("employee", "email", "team", "region", "manager_email", "language")


@dataclass(frozen=True)
class BurstInputs:
    files: tuple[Path, ...]
    employees: int


def employee(index: int) -> tuple[str, str]:
    """(name, address) of employee `index` (0-based)."""
    return f"Employee {index + 1:04d}", f"employee.{index + 1:04d}@example.com"


def _weeks(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    return [first + timedelta(days=7 * week + 2) for week in range(4)]


def result_rows(count: int, rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = [list(RESULT_HEADER)]
    for year, month in MONTHS:
        for day in _weeks(year, month):
            for index in range(count):
                channel = CHANNELS[(index + day.day) % len(CHANNELS)]
                contacts = rng.randint(5, 60)
                conversions = rng.randint(0, contacts // 4)
                revenue = round(conversions * rng.uniform(80, 900), 2)
                margin = round(revenue * rng.uniform(0.3, 0.6), 2)
                name, _ = employee(index)
                campaign = f"{channel} {year}"
                rows.append(
                    [day, channel, campaign, name, contacts, conversions, revenue, margin, "EUR"]
                )
    return rows


def cost_rows(count: int, rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = [list(COST_HEADER)]
    for year, month in MONTHS:
        first = date(year, month, 1)
        for index in range(count):
            channel = CHANNELS[index % len(CHANNELS)]
            category = CATEGORIES[index % len(CATEGORIES)]
            amount = round(rng.uniform(50, 1500), 2)
            name = employee(index)[0]
            rows.append([first, channel, f"{channel} {year}", name, category, amount, "EUR"])
        for channel in CHANNELS:  # team-wide costs, allocated by the shared_costs rule
            amount = round(rng.uniform(1000, 20000), 2)
            rows.append([first, channel, f"{channel} {year}", None, "ad spend", amount, "EUR"])
    return rows


def employee_rows(count: int) -> list[list[object]]:
    rows: list[list[object]] = [list(EMPLOYEES_HEADER)]
    for index in range(count):
        name, address = employee(index)
        team = index % TEAMS
        region = REGIONS[team % len(REGIONS)]
        manager = f"manager.{team + 1:02d}@example.com"
        rows.append([name, address, f"Team {team + 1:02d}", region, manager, ""])
    return rows


def _write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_inputs(folder: Path, count: int) -> BurstInputs:
    """The three sheets as CSV files in `folder` (made afresh each time: a second or two)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261031)
    files = (
        _write_csv(folder / "results-2026-09-10.csv", result_rows(count, rng)),
        _write_csv(folder / "costs-2026-09-10.csv", cost_rows(count, rng)),
        _write_csv(folder / "employees.csv", employee_rows(count)),
    )
    return BurstInputs(files, count)


def config_text(port: int, per_minute: int) -> str:
    """Every employee gets their own report, through the bench's server at its pace."""
    return f"""[report]
title = "Sales ROI"
timezone = "Europe/Helsinki"
shared_costs = "revenue"

[output]
pdf_scopes = ["all", "employee"]  # what employee_reports needs: the PDF profile samples them

[email]
enabled = true
host = "127.0.0.1"
port = {port}
sender = "roi-reports@example.com"
employee_reports = true
max_per_minute = {per_minute}
timeout_s = 30
"""
