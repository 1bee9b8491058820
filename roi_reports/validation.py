"""Problems found in input files, collected lazily into one report.

Every problem says where (file, sheet, Excel row, column), what (value, rule) and how to
fix it (hint), so a user can correct all of them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning"]
PROBLEM_COLUMNS = ("file", "sheet", "row", "column", "value", "rule", "hint", "severity")


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    rule: str
    hint: str
    severity: Severity = "error"

    def location(self, rows: str | None = None) -> str:
        """`file, sheet 'S', row 5, column 'c'`; `rows` stands in for the row part."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if rows is not None:
            parts.append(rows)
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def one_line(self, rows: str | None = None) -> str:
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.location(rows)}: {self.rule}{value}: {self.hint}"

    def same_but_row(self, other: Problem) -> bool:
        """The same finding in another row of the same sheet (e.g. two duplicate rows)."""
        return (
            self.row is not None and other.row is not None and replace(self, row=other.row) == other
        )


def one_line_for_rows(problems: Sequence[Problem]) -> str:
    """One line for problems that differ only in their row: `…, rows 12, 40, 77: …`."""
    if len(problems) == 1:
        return problems[0].one_line()
    return problems[0].one_line("rows " + ", ".join(str(p.row) for p in problems))


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def put_in_reading_order(self, files: Sequence[str] = ()) -> None:
        """Every output lists problems in the order of `reading_order`."""
        self.problems = reading_order(self.problems, files)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def invalid_files(self) -> list[str]:
        return sorted({p.file for p in self.errors})

    def summary(self) -> str:
        errors = self.errors
        if not errors:
            return "all input files are valid"
        files = self.invalid_files()
        first = errors[0].one_line()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return (
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in "
            f"{len(files)} file{'s' if len(files) != 1 else ''}: {first}{more}"
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(p) for p in self.problems], columns=list(PROBLEM_COLUMNS))


def reading_order(
    problems: Iterable[Problem],
    files: Sequence[str] = (),
    sheets: Sequence[tuple[str, str]] = (),
) -> list[Problem]:
    """Problems as a reader meets them: by file, sheet, then row, whatever found them.

    Checks find problems in their own order (a bottom-up scan for totals rows, rule by
    rule, files before cross-file checks), so the lists would jump about. Files come in
    the order of `files`, sheets in the order of `sheets` ((file, sheet) pairs as read),
    anything else as first mentioned; what concerns a whole file or sheet comes before
    its rows, and the problems of one row in the order they were found.
    """
    found = list(problems)
    file_rank = {name: rank for rank, name in enumerate(files)}
    sheet_rank: dict[tuple[str, str | None], int] = {}
    for file, sheet in sheets:
        sheet_rank.setdefault((file, sheet), len(sheet_rank))
    for problem in found:
        file_rank.setdefault(problem.file, len(file_rank))
        sheet_rank.setdefault((problem.file, problem.sheet), len(sheet_rank))

    def place(problem: Problem) -> tuple[int, bool, int, int]:
        return (
            file_rank[problem.file],
            problem.sheet is not None,
            sheet_rank[(problem.file, problem.sheet)],
            -1 if problem.row is None else problem.row,
        )

    return sorted(found, key=place)


def problems_for_rows(
    file: str,
    sheet: str,
    column: str,
    rows: pd.Index,
    values: Iterable[object],
    rule: str,
    hint: str,
    severity: Severity = "error",
) -> list[Problem]:
    """One Problem per offending row; rows are Excel row numbers."""
    return [
        Problem(file, sheet, int(row), column, display_value(value), rule, hint, severity)
        for row, value in zip(rows, values, strict=True)
    ]


def display_value(value: object) -> str | None:
    """A cell value as shown in a problem table (long text shortened)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheet readers give every number as a float; show 12, not 12.0
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
