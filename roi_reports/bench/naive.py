"""The naive baseline: what a straightforward first implementation would do.

pandas.read_excel with openpyxl, a Python loop over the rows accumulating sums per group,
metrics from those sums, openpyxl writing the workbook, and the PDFs of `naive_pdf` (its own
template, matplotlib charts, a fresh WeasyPrint render per report) one after another. It
is the yardstick `make bench` compares the real job with, and a test proves both give
identical metrics. It imports nothing of roi-reports, so the product's gains all count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

DIMENSIONS = ("channel", "employee", "campaign", "month")
SUMS = ("contacts", "conversions", "revenue", "cost")
Groups = dict[str, dict[Any, dict[str, float]]]  # dimension → key → sum name → value
Metrics = dict[str, dict[Any, dict[str, float | None]]]


def read_naive(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return sheets["Results"], sheets["Costs"]


def _blank(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def sum_groups(results: Sequence[pd.DataFrame], costs: Sequence[pd.DataFrame]) -> Groups:
    """One Python loop over every row, adding it to its group of every dimension."""
    groups: Groups = {d: defaultdict(lambda: dict.fromkeys(SUMS, 0.0)) for d in DIMENSIONS}
    for frame in results:
        for row in frame.to_dict("records"):
            keys = _keys(row)
            for dimension in DIMENSIONS:
                group = groups[dimension][keys[dimension]]
                group["contacts"] += row["Contacts"]
                group["conversions"] += row["Conversions"]
                group["revenue"] += row["Revenue"]
    for frame in costs:
        for row in frame.to_dict("records"):
            keys = _keys(row)
            for dimension in DIMENSIONS:
                groups[dimension][keys[dimension]]["cost"] += row["Amount"]
    return groups


def _keys(row: dict[Any, Any]) -> dict[str, Any]:
    day = pd.Timestamp(row["Date"])
    return {
        "channel": _blank(row["Channel"]),
        "employee": _blank(row["Employee"]),
        "campaign": _blank(row["Campaign"]),
        "month": f"{day.year:04d}-{day.month:02d}",
    }


def _ratio(top: float, bottom: float, scale: float = 1.0) -> float | None:
    return top / bottom * scale if bottom else None


def metrics_of(sums: dict[str, float]) -> dict[str, float | None]:
    """The headline metrics of SPEC §3 from one group's sums (ratios of sums)."""
    net_profit = sums["revenue"] - sums["cost"]
    return {
        **sums,
        "net_profit": net_profit,
        "roi_pct": _ratio(net_profit, sums["cost"], 100.0),
        "roas": _ratio(sums["revenue"], sums["cost"]),
        "conversion_rate_pct": _ratio(sums["conversions"], sums["contacts"], 100.0),
        "cost_per_contact": _ratio(sums["cost"], sums["contacts"]),
        "cpa": _ratio(sums["cost"], sums["conversions"]),
        "avg_ticket": _ratio(sums["revenue"], sums["conversions"]),
    }


def naive_metrics(groups: Groups) -> Metrics:
    return {d: {k: metrics_of(s) for k, s in found.items()} for d, found in groups.items()}


def write_naive_workbook(metrics: Metrics, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for dimension, found in metrics.items():
        sheet = workbook.create_sheet(f"By {dimension}")
        names = list(next(iter(found.values()), {}))
        sheet.append([dimension, *names])
        for key in sorted(found, key=lambda k: (k is None, str(k))):
            sheet.append([key, *found[key].values()])
    workbook.save(path)
