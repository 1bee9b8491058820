"""What rows skipped by `--skip-invalid-rows` carried, so nobody under-reports unaware.

Each skipped row is listed with its own error; this adds one warning per file that sums
what those rows held: "3 rows skipped, carrying cost 150.00 and 4 conversions". A cell
that is itself the error (`lots` in a number column, −3 contacts) is not summed but
counted as invalid; money is summed per currency as written in the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from roi_reports.validation import Problem

# (table kind, column) → (label, money?) in the order the summary names them
CARRIED: dict[tuple[str, str], tuple[str, bool]] = {
    ("costs", "amount"): ("cost", True),
    ("results", "revenue"): ("revenue", True),
    ("results", "contacts"): ("contacts", False),
    ("results", "conversions"): ("conversions", False),
}
SINGULAR = {"contacts": "contact", "conversions": "conversion"}


def skipped_rows_summary(
    dropped: Mapping[str, pd.DataFrame], problems: Sequence[Problem]
) -> list[Problem]:
    """One warning per file with skipped rows: how many, and the sums they carried."""
    frames = [frame for frame in dropped.values() if len(frame)]
    if not frames:
        return []
    files = pd.concat([f[["file", "sheet", "row"]] for f in frames]).drop_duplicates()
    summaries = []
    for file, rows in files.groupby("file", sort=True):
        mine = {kind: frame[frame["file"] == file] for kind, frame in dropped.items()}
        parts, unreadable = _carried(mine, _bad_cells(problems, str(file)))
        count = len(rows)
        text = f"{count} row{'s' if count != 1 else ''} skipped, carrying "
        text += _and(parts) if parts else "no amounts or counts"
        if unreadable:
            text += f" ({unreadable} invalid value{'s' if unreadable != 1 else ''} not counted)"
        summaries.append(
            Problem(
                str(file),
                None,
                None,
                None,
                None,
                "rows skipped",
                f"{text}; every figure leaves them out: fix the rows listed and validate again "
                "to count them",
                "warning",
            )
        )
    return summaries


def _bad_cells(problems: Sequence[Problem], file: str) -> set[tuple[object, object, object]]:
    """(sheet, row, column) of the cells that are themselves an error in this file."""
    return {
        (p.sheet, p.row, p.column)
        for p in problems
        if p.severity == "error" and p.file == file and p.row is not None
    }


def _carried(
    dropped: Mapping[str, pd.DataFrame], bad: set[tuple[object, object, object]]
) -> tuple[list[str], int]:
    """The named sums of the readable cells, and how many cells could not be read."""
    parts: list[str] = []
    unreadable = 0
    for (kind, column), (label, money) in CARRIED.items():
        frame = dropped.get(kind)
        if frame is None or frame.empty or column not in frame:
            continue
        cells = pd.MultiIndex.from_arrays(
            [frame["sheet"].astype(object), frame["row"], [column] * len(frame)]
        )
        own_error = cells.isin(list(bad))
        unreadable += int(own_error.sum())
        values = frame[column].where(~own_error)
        if values.notna().any() and values.sum() != 0:
            parts.append(_money(label, values, frame) if money else _count(label, values.sum()))
    return parts, unreadable


def _money(label: str, values: pd.Series, frame: pd.DataFrame) -> str:
    """`cost 150.00`, or `cost 150.00 EUR + 20.00 USD` when the rows name currencies."""
    currency = frame["currency"].astype(object).where(frame["currency"].notna(), "")
    sums = values.groupby(currency, sort=True).sum()
    amounts = [f"{total:,.2f}" + (f" {code}" if code else "") for code, total in sums.items()]
    return f"{label} {' + '.join(amounts)}"


def _count(label: str, total: float) -> str:
    shown = f"{total:,.0f}" if float(total).is_integer() else f"{total:,.2f}"
    return f"{shown} {SINGULAR[label] if total == 1 else label}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
