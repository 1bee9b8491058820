"""Row rules on typed tables, declared as pandera schemas and validated lazily.

Lazy validation collects every failure of every rule into one table (column, check,
index, failure case); each failure becomes a `Problem` at its Excel row. Parsing text
into numbers and dates stays in `values`/`normalise`, which know *why* a cell is not a
number and how to fix it; the schemas judge the parsed values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from roi_reports.ingest.raw import LINE_KEY
from roi_reports.ingest.schemas import SheetKind
from roi_reports.validation import Problem, Severity, display_value

if TYPE_CHECKING:  # pandera takes 0.2 s to import: only a run that reads a file needs it
    import pandera.pandas as pa

SOURCE = ("file", "sheet", "row")


@dataclass(frozen=True)
class Rule:
    hint: str
    column: str | None = None  # where a whole-row rule points


def _negative(series: pd.Series) -> pd.Series:
    return series >= 0


def _fractional(series: pd.Series) -> pd.Series:
    return (series % 1 == 0) | (series < 0)  # a negative count is reported once, as negative


def _more_conversions(frame: pd.DataFrame) -> pd.Series:
    return ~(frame["conversions"] > frame["contacts"])


def _duplicate(frame: pd.DataFrame) -> pd.Series:
    data = [LINE_KEY] if LINE_KEY in frame else [c for c in frame.columns if c not in SOURCE]
    return ~frame.duplicated(subset=data, keep="first")


RULES: dict[str, Rule] = {
    "negative value": Rule("counts are people or deals and cannot be negative; correct the cell"),
    "negative amount": Rule(
        "read as a credit note or refund: it is counted and lowers the total; if it is not "
        "one, correct the sign"
    ),
    "not a whole number": Rule("counts are people or deals; use a whole number"),
    "more conversions than contacts": Rule(
        "check the row: conversions are usually a subset of contacts", "conversions"
    ),
    "duplicate row": Rule(
        "the row repeats an earlier one exactly; delete it if it was entered twice"
    ),
    "date outside the file's period": Rule(
        "the date is outside [input] period; correct the date or the period"
    ),
}
COUNTS = ("contacts", "conversions")  # never negative: an error
# money may be negative (credit notes, refunds): counted, and listed as a warning per row
SIGNED_MONEY = ("amount", "revenue", "gross_profit")


def schemas(
    kind: SheetKind, whole_counts_required: bool, period: tuple[pd.Timestamp, pd.Timestamp] | None
) -> tuple[pa.DataFrameSchema, pa.DataFrameSchema]:
    """(errors schema, warnings schema) for one sheet kind: a rule's severity is its schema's."""
    import pandera.pandas as pa

    errors: dict[str, list[pa.Check]] = {c: [] for c in COUNTS}
    warnings: dict[str, list[pa.Check]] = {c: [] for c in (*COUNTS, *SIGNED_MONEY)}
    for column in COUNTS:
        errors[column].append(pa.Check(_negative, name="negative value"))
    for column in SIGNED_MONEY:
        warnings[column].append(pa.Check(_negative, name="negative amount"))
    for column in COUNTS:
        whole = pa.Check(_fractional, name="not a whole number")
        (errors if whole_counts_required else warnings)[column].append(whole)
    if period is not None and kind in ("results", "costs"):
        start, end = period
        errors["start"] = [pa.Check(lambda s: s >= start, name="date outside the file's period")]
        errors["end"] = [pa.Check(lambda s: s <= end, name="date outside the file's period")]
    frame_warnings = [pa.Check(_duplicate, name="duplicate row")]
    if kind == "results":
        frame_warnings.append(pa.Check(_more_conversions, name="more conversions than contacts"))

    def columns(checks: dict[str, list[pa.Check]]) -> dict[str, pa.Column]:
        return {c: pa.Column(checks=v, nullable=True, required=False) for c, v in checks.items()}

    return (
        pa.DataFrameSchema(columns(errors)),
        pa.DataFrameSchema(columns(warnings), checks=frame_warnings),
    )


def check_rules(
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    kind: SheetKind,
    where: tuple[str, str],
    whole_counts_required: bool = True,
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None,
) -> list[Problem]:
    """Every rule failure of a typed table (index = Excel rows); values shown as typed in."""
    if kind not in ("results", "costs") or frame.empty:
        return []
    if LINE_KEY in raw:
        frame = frame.assign(**{LINE_KEY: raw[LINE_KEY]})
    from pandera.errors import SchemaErrors

    problems: list[Problem] = []
    severities: tuple[Severity, Severity] = ("error", "warning")
    for schema, severity in zip(
        schemas(kind, whole_counts_required, period), severities, strict=True
    ):
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as exc:
            problems.extend(_problems(exc.failure_cases, raw, where, severity))
    return problems


def _problems(
    cases: pd.DataFrame, raw: pd.DataFrame, where: tuple[str, str], severity: Severity
) -> list[Problem]:
    cases = cases[cases["index"].notna() & cases["check"].isin(list(RULES))]
    whole_row = cases["schema_context"] == "DataFrameSchema"
    # a whole-row rule fails once per column; keep one failure per row
    cases = pd.concat(
        [cases[~whole_row], cases[whole_row].drop_duplicates(["check", "index"])]
    ).sort_values(["index", "check"], kind="stable")
    problems = []
    for check, column, row in cases[["check", "column", "index"]].itertuples(index=False):
        rule = RULES[check]
        shown = rule.column if check in _ROW_RULES else _shown_column(column, raw)
        value = raw.at[row, shown] if shown in raw else None
        problems.append(
            Problem(*where, int(row), shown, display_value(value), check, rule.hint, severity)
        )
    return problems


_ROW_RULES = ("more conversions than contacts", "duplicate row")


def _shown_column(column: str, raw: pd.DataFrame) -> str:
    if column in ("start", "end"):
        return "date" if "date" in raw else "period"
    return column
