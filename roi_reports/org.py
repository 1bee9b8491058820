"""Teams and regions (SPEC §4): attributes of employees, joined onto the fine sums.

The employees sheet says who is in which team and region. Rows are never summed by team
directly: the month-level sums keep their employee, and each sum takes its employee's team
and region, so team sums are exactly the sums of their members and add up to the
company's totals. Rows of employees the sheet does not list count in "(no team)" (and
"(no region)"), with a warning; rows without an employee stay unassigned.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from roi_reports.aggregate import FineSums
from roi_reports.errors import UsageError
from roi_reports.i18n import N_
from roi_reports.ingest.people import person_key
from roi_reports.validation import Problem

ORG_DIMENSIONS = ("team", "region")
NO_TEAM = N_("(no team)")  # a group key like any team's, translated where shown
NO_REGION = N_("(no region)")
MISSING_LABEL = {"team": NO_TEAM, "region": NO_REGION}


def org_lookup(employees: pd.DataFrame) -> pd.DataFrame:
    """Person key → team and region (the later row of a name listed twice)."""
    named = employees[employees["employee"].notna()]
    keys = person_key(named["employee"])
    table = named[list(ORG_DIMENSIONS)].set_axis(keys, axis=0)
    return table[~table.index.duplicated(keep="last")]


def has_dimension(employees: pd.DataFrame, dim: str) -> bool:
    """Teams (or regions) are known when the employees sheet fills some in."""
    return bool(employees[dim].notna().any())


def require_org(employees: pd.DataFrame, dims: Sequence[str]) -> None:
    """`--by team` needs an employees sheet, `--by region` one with regions."""
    for dim in (d for d in dims if d in ORG_DIMENSIONS):
        if employees["employee"].notna().any() and has_dimension(employees, dim):
            continue
        raise UsageError(
            f"grouping by {dim} needs an employees sheet with a {dim} column: add a sheet "
            f"named employees (columns employee, {dim}, …) to the files"
        )


def with_org_keys(frame: pd.DataFrame, dims: Sequence[str], lookup: pd.DataFrame) -> pd.DataFrame:
    """Fine sums with a `team`/`region` column taken from each sum's employee."""
    wanted = [d for d in dims if d in ORG_DIMENSIONS]
    if not wanted:
        return frame
    keys = person_key(frame["employee"])
    found = lookup.reindex(keys.to_numpy())
    named = frame["employee"].notna().to_numpy()
    columns = {
        dim: pd.Series(
            found[dim].fillna(MISSING_LABEL[dim]).to_numpy(), index=frame.index, dtype="string"
        ).where(named)
        for dim in wanted
    }
    return frame.assign(**columns)


def employees_not_in_sheet(fine: FineSums, employees: pd.DataFrame) -> list[str]:
    """Employees with rows whom the employees sheet does not list (sorted)."""
    if not employees["employee"].notna().any():
        return []
    names = pd.concat([fine.results["employee"], fine.costs["employee"]]).dropna().unique()
    names = pd.Series(names, dtype="string")
    known = set(org_lookup(employees).index)
    return sorted(
        str(n) for n, key in zip(names, person_key(names), strict=True) if key not in known
    )


def org_warnings(fine: FineSums, employees: pd.DataFrame) -> tuple[Problem, ...]:
    """One warning per employee with data who is missing from the employees sheet."""
    missing = employees_not_in_sheet(fine, employees)
    if not missing:
        return ()
    first = employees.iloc[0]
    return tuple(
        Problem(
            str(first["file"]),
            str(first["sheet"]),
            None,
            "employee",
            name,
            "employee not in the employees sheet",
            f'their rows count in the "{NO_TEAM}" group; add them to the employees sheet',
            "warning",
        )
        for name in missing
    )
