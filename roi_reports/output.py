"""Metrics and problem tables → JSON, CSV and plain-text tables for the terminal."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from roi_reports.metrics import METRICS

COUNT_FIELDS = {name for name, m in METRICS.items() if m.unit == "count"}


def _json_value(column: str, value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar → Python
        value = value.item()
    if isinstance(value, float) and column in COUNT_FIELDS and value.is_integer():
        return int(value)
    return value


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """A list of records: group columns then metrics; null for unassigned or undefined."""
    columns = list(table.columns)
    return [
        {c: _json_value(c, v) for c, v in zip(columns, row, strict=True)}
        for row in table.itertuples(index=False, name=None)
    ]


def to_json(table: pd.DataFrame) -> str:
    return json.dumps(records(table), ensure_ascii=False, indent=2, allow_nan=False)


def to_csv(table: pd.DataFrame) -> str:
    return str(table.to_csv(index=False, lineterminator="\n", float_format=None))


def _display(column: str, value: Any, group_columns: Sequence[str]) -> str:
    value = _json_value(column, value)
    if value is None:
        return "(unassigned)" if column in group_columns else "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ")
    return str(value)


def to_text_table(table: pd.DataFrame, group_columns: Sequence[str] = ()) -> str:
    """A fixed-width table for the terminal; numbers right-aligned, two decimals."""
    headers = list(table.columns)
    rows = [
        [_display(c, v, group_columns) for c, v in zip(headers, row, strict=True)]
        for row in table.itertuples(index=False, name=None)
    ]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    numeric = [c not in group_columns and pd.api.types.is_numeric_dtype(table[c]) for c in headers]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if is_num else cell.ljust(w)
            for cell, w, is_num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in rows)
    return "\n".join(out)
