"""Row checks of the people sheets (employees, stakeholders): what stops one person.

A bad address, an unknown scope, language or format makes that row's person unusable as
a recipient, never the file: the problems are warnings at ingest, and the same checks
tell the folder job which rows to leave out (`row_problem`). Pure pandas on small tables.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from roi_reports.email_settings import FORMATS, is_email_address
from roi_reports.errors import UsageError
from roi_reports.ingest.schemas import SHEETS
from roi_reports.scopes import Scope
from roi_reports.validation import Problem

LANGUAGES = ("en", "fi", "fa")
FORMAT_SEPARATORS = re.compile(r"[\s,;/+]+")
NOT_SENT = "until it is fixed this person gets no report"
LATER_ROW = "listed more than once: one report is sent, the later row is used"


@dataclass(frozen=True)
class Issue:
    """One rule broken by the rows of `rows` (a boolean mask over the frame)."""

    column: str
    rule: str
    hint: str
    rows: pd.Series
    stops_person: bool = True  # False: the row's person is still a recipient


def person_key(names: pd.Series) -> pd.Series:
    """How a name is matched across sheets: case and runs of spaces do not matter."""
    return names.astype("string").str.split().str.join(" ").str.casefold()


def split_formats(text: Any) -> tuple[str, ...]:
    """`"pdf, xlsx"` → ("pdf", "xlsx"); blank → ("pdf",)."""
    if text is None or pd.isna(text) or not str(text).strip():
        return ("pdf",)
    parts = (p.lower() for p in FORMAT_SEPARATORS.split(str(text).strip()) if p)
    return tuple(dict.fromkeys(parts))


def _judged(values: pd.Series, bad: Callable[[str], bool]) -> pd.Series:
    """`bad` applied to each present value (blanks are never bad here)."""
    present = values.notna().to_numpy()
    flags = np.zeros(len(values), dtype=bool)
    flags[present] = [bad(str(value)) for value in values[present]]
    return pd.Series(flags, index=values.index)


def bad_address(values: pd.Series) -> pd.Series:
    return _judged(values, lambda text: not is_email_address(text))


def _bad_language(values: pd.Series) -> pd.Series:
    return (values.notna() & ~values.str.lower().isin(LANGUAGES)).fillna(False).astype(bool)


def _unknown_scope(text: str) -> bool:
    try:
        Scope.parse(text)
    except UsageError:
        return True
    return False


def _bad_scope(values: pd.Series) -> pd.Series:
    return _judged(values, _unknown_scope)


def _bad_formats(values: pd.Series) -> pd.Series:
    known = set(FORMATS)
    return values.map(lambda text: not set(split_formats(text)) <= known).astype(bool)


def _line_breaks(values: pd.Series) -> pd.Series:
    return values.str.contains(r"[\r\n\x00]", regex=True).fillna(False).astype(bool)


def _twice(keys: pd.Series) -> pd.Series:
    """Every row but the last of a key listed more than once (the later row is used)."""
    return (keys.notna() & keys.duplicated(keep="last")).astype(bool)


def _address_issue(frame: pd.DataFrame, column: str = "email", who: str = NOT_SENT) -> Issue:
    hint = f"write it as name@example.com; {who}"
    stops = column == "email"  # a bad manager address stops the team report, not the row
    return Issue(column, "not an email address", hint, bad_address(frame[column]), stops)


def _language_issue(frame: pd.DataFrame) -> Issue:
    hint = f"use en, fi or fa; {NOT_SENT}"
    return Issue("language", "unknown language", hint, _bad_language(frame["language"]))


def employee_issues(frame: pd.DataFrame) -> list[Issue]:
    manager = "until it is fixed the manager gets no team report"
    twice = _twice(person_key(frame["employee"]))
    return [
        _address_issue(frame),
        _address_issue(frame, "manager_email", manager),
        _language_issue(frame),
        Issue("employee", "employee listed twice", LATER_ROW, twice, stops_person=False),
    ]


def stakeholder_issues(frame: pd.DataFrame) -> list[Issue]:
    scopes = "use all, channel:NAME, employee:NAME, campaign:NAME or team:NAME; " + NOT_SENT
    formats = f'use pdf, xlsx or "pdf, xlsx"; {NOT_SENT}'
    twice = _twice(frame["email"].str.lower() + "|" + frame["scope"].fillna("all").str.strip())
    return [
        _address_issue(frame),
        Issue(
            "name",
            "line break in name",
            f"write the name on one line; {NOT_SENT}",
            _line_breaks(frame["name"]),
        ),
        Issue("scope", "unknown scope", scopes, _bad_scope(frame["scope"])),
        _language_issue(frame),
        Issue("formats", "unknown format", formats, _bad_formats(frame["formats"])),
        Issue("email", "stakeholder listed twice", LATER_ROW, twice, stops_person=False),
    ]


def people_issues(frame: pd.DataFrame, kind: str) -> list[Issue]:
    issues = employee_issues(frame) if kind == "employees" else stakeholder_issues(frame)
    return [issue for issue in issues if issue.rows.any()]


def row_problem(frame: pd.DataFrame, kind: str) -> pd.Series:
    """Per row, why its person cannot receive reports (`rule: value`), else <NA>."""
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    for issue in reversed(people_issues(frame, kind)):  # the first issue wins
        if issue.stops_person:
            text = issue.rule + ": " + frame[issue.column].fillna("").astype(str)
            reason = reason.mask(issue.rows, text)
    for column in SHEETS[kind].required:  # type: ignore[index]
        reason = reason.mask(frame[column].isna(), f"{column} missing")
    return reason


def listed_in_two_files(employees: pd.DataFrame) -> list[Problem]:
    """An employee in the employees sheets of two files: the file later by name wins."""
    keys = person_key(employees["employee"])
    files = employees.groupby(keys, dropna=True)["file"].nunique()
    shared = keys.isin(files[files > 1].index) & _twice(keys)
    later = employees.loc[~_twice(keys)].set_index(keys[~_twice(keys)])["file"]
    return [
        Problem(
            str(row["file"]),
            str(row["sheet"]),
            int(row["row"]),
            "employee",
            str(row["employee"]),
            "employee listed twice",
            f"also listed in {later[key]}, whose row is used; keep one row per employee",
            "warning",
        )
        for key, row in zip(keys[shared], employees[shared].to_dict("records"), strict=True)
        if row["file"] != later[key]
    ]
