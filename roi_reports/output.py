"""Metrics and problem tables → JSON, CSV and plain-text tables for the terminal."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from roi_reports.metrics import METRICS
from roi_reports.validation import ValidationReport

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


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# (CSV/DDE injection): `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` from a sheet someone
# dropped in the inbox must reach the reader as text. OWASP: prefix such cells with "'".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# "-500" or "+1 050,00" has no operator after its sign, so it cannot run anything; left
# alone it stays a number for whoever opens the file. No \s here: tab and CR are triggers.
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .,'\u00a0\u202f]*")


def neutralise_formula(value: Any) -> Any:
    """`=1+2` → `'=1+2`; numbers, plain numeric text and safe text pass unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_TRIGGERS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def csv_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as formulas and whose line breaks are `\n`;
    numeric columns are not touched."""
    safe = table.copy()
    for column in safe.columns:
        values = safe[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            # element-wise, but over output tables: one row per group or per problem
            safe[column] = values.map(_csv_cell, na_action="ignore")
    return safe


def _csv_cell(value: Any) -> Any:
    """A text cell as CSV writes it. A line break is written as `\n`: the writer quotes a
    cell holding the line terminator, and a lone `\r` (a cell a hostile file filled with
    one) left unquoted would end the row early for every reader."""
    value = neutralise_formula(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def to_csv(table: pd.DataFrame) -> str:
    """CSV for people to open in a spreadsheet: formula-like text is neutralised."""
    return str(csv_safe(table).to_csv(index=False, lineterminator="\n", float_format=None))


def problems_csv(report: ValidationReport) -> str:
    """The problem table as CSV: `validate --format csv` and quarantine `.errors.csv`."""
    return to_csv(report.to_frame())


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
