"""Sentences saying which figures are unknown or partial, and why: workbook, PDF and CLI.

The metric tables carry, per group, how many results rows do not know their revenue or
contacts and which files they came from (`unknowns.py`). A group that knows none has a
null figure; one that knows some has a partial sum (README "Unknown values"). These
sentences say which, for whom, and why, e.g. "channel Google Ads: revenue is partial,
unknown for 12 of 14 results rows (no conversion value column in ads.csv)", or
"… revenue unknown for 12 of 12 results rows …" when the figure is null.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from roi_reports.i18n import N_, Gettext
from roi_reports.ingest.unknown import UNKNOWN_WITHOUT_COLUMN
from roi_reports.reports.model import ReportModel

UNKNOWN_ALL = {
    "revenue": N_(
        "{group}: revenue unknown for {rows} of {rows} results rows ({reason} in {files})"
    ),
    "contacts": N_(
        "{group}: contacts unknown for {rows} of {rows} results rows ({reason} in {files})"
    ),
}
UNKNOWN_PART = {
    "revenue": N_(
        "{group}: revenue is partial, unknown for {unknown} of {rows} results rows "
        "({reason} in {files})"
    ),
    "contacts": N_(
        "{group}: contacts are partial, unknown for {unknown} of {rows} results rows "
        "({reason} in {files})"
    ),
}
GROUP_NAMES = {
    "channel": N_("channel {name}"),
    "employee": N_("employee {name}"),
    "campaign": N_("campaign {name}"),
    "team": N_("team {name}"),
    "region": N_("region {name}"),
}
UNASSIGNED = N_("(unassigned)")
PARTIAL = N_("(partial)")
# the metrics computed from a value that may be unknown (README "Unknown values")
USES = {
    "revenue": (
        "revenue",
        "net_profit",
        "roi_pct",
        "roas",
        "avg_ticket",
        "break_even_conversions",
        "annualized_roi_pct",
        "annualized_roi_simple_pct",
    ),
    "contacts": ("contacts", "conversion_rate_pct", "cost_per_contact"),
}


def partial(row: pd.Series, metric: str) -> bool:
    """Whether a group's figure is known but partial: some of its rows lack what it uses."""
    if pd.isna(row[metric]) or "results_rows" not in row:
        return False
    return any(metric in used and row[f"{value}_unknown_rows"] > 0 for value, used in USES.items())


def unknown_notes(
    table: pd.DataFrame, dims: Sequence[str], total_name: str, t: Gettext = str
) -> list[str]:
    """One sentence per group of `table` and value (revenue, contacts) with unknown rows.

    `dims` are the table's group columns (none: one total row, named `total_name`).
    """
    if "results_rows" not in table:
        return []
    lines = []
    for _, row in table.iterrows():  # one row per group of a report table: few
        group = _group_name(row, dims, total_name, t)
        for value in UNKNOWN_ALL:
            unknown = int(row[f"{value}_unknown_rows"])
            if unknown == 0:
                continue
            rows = int(row["results_rows"])
            template = UNKNOWN_ALL[value] if unknown == rows else UNKNOWN_PART[value]
            files = row[f"{value}_unknown_in"]
            lines.append(
                t(template).format(
                    group=group,
                    unknown=unknown,
                    rows=rows,
                    reason=t(UNKNOWN_WITHOUT_COLUMN[value][0]),
                    files=files if isinstance(files, str) else "?",
                )
            )
    return lines


def _group_name(row: pd.Series, dims: Sequence[str], total_name: str, t: Gettext) -> str:
    if not dims:
        return total_name
    parts = []
    for dim in dims:
        value = row[dim]
        name = t(UNASSIGNED) if value is None or pd.isna(value) else str(value)
        parts.append(t(GROUP_NAMES[dim]).format(name=name) if dim in GROUP_NAMES else name)
    return ", ".join(parts)


def report_unknown_notes(model: ReportModel, t: Gettext = str, campaigns: bool = True) -> list[str]:
    """The sentences of a report: its total, then its channels, employees, teams, regions
    and (unless left out, as the PDF does) campaigns."""
    total = total_name(model, t)
    lines = unknown_notes(model.total, (), total, t)
    tables: list[tuple[str, pd.DataFrame | None]] = [
        ("channel", model.by_channel),
        ("employee", model.by_employee),
        ("team", model.by_team),
        ("region", model.by_region),
    ]
    if campaigns:
        tables.append(("campaign", model.by_campaign))
    for key, table in tables:
        if table is not None and key in table:
            lines.extend(unknown_notes(table, (key,), total, t))
    return lines


def total_name(model: ReportModel, t: Gettext = str) -> str:
    """What a report's total row is: the whole team, or the scope (`channel LinkedIn`)."""
    kind = model.scope.kind
    if kind == "all":
        return t("Whole team")
    name = str(model.scope.name)
    return t(GROUP_NAMES[kind]).format(name=name) if kind in GROUP_NAMES else name
