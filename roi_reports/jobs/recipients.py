"""Who gets which report this period: the config's stakeholders, the stakeholders sheet,
every employee with data (`employee_reports`) and every manager (`manager_reports`).

Pure: the people sheets and the names with data in, recipients out. A person listed more
than once for the same scope (same address) gets one message: the config's entry wins,
then the stakeholders sheet's, then the employees sheet's. A row that cannot be used (a
bad address, an unknown scope) stops only that person: it is returned as `Unusable`, and
the job reports it as a failed delivery.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from roi_reports.config import Config
from roi_reports.delivery.deliver import Delivery
from roi_reports.email_settings import Stakeholder
from roi_reports.errors import ConfigError
from roi_reports.ingest.dataset import Dataset
from roi_reports.ingest.people import (
    LANGUAGES,
    bad_address,
    person_key,
    row_problem,
    split_formats,
)
from roi_reports.org import NO_TEAM
from roi_reports.reports.model import ReportModel
from roi_reports.scopes import Scope


@dataclass(frozen=True)
class Unusable:
    """A person a sheet names who cannot be sent anything, and why."""

    name: str
    email: str
    scope: str
    reason: str  # what is wrong, where: file, sheet, row
    failed: bool = True  # False: not an error (an employee without an address)


@dataclass(frozen=True)
class Recipients:
    people: tuple[Stakeholder, ...]
    unusable: tuple[Unusable, ...] = ()
    duplicates: tuple[str, ...] = field(default=())  # "email (scope)" listed again, ignored


def where(row: Mapping[Hashable, Any]) -> str:
    return f"{row['file']}, sheet {row['sheet']!r}, row {row['row']}"


def _language(text: Any) -> str | None:
    """A known language, else None (the report's; an unknown one was already reported)."""
    language = None if text is None or pd.isna(text) else str(text).lower()
    return language if language in LANGUAGES else None


def _person(
    origin: str, unusable: list[Unusable], name: str, email: str, scope: str, **fields: Any
) -> Stakeholder | None:
    """A stakeholder, or None with the reason in `unusable`: whatever the row checks
    missed (a line break in a name in the data) still stops this person only."""
    try:
        return Stakeholder(name, email, scope, origin=origin, **fields)
    except ConfigError as exc:
        unusable.append(Unusable(name, email, scope, f"{origin}: {exc}"))
        return None


def _latest_rows(frame: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """One row per key: the later row of a person listed twice (as the warning says)."""
    return frame[key.notna() & ~key.duplicated(keep="last")]


def sheet_stakeholders(frame: pd.DataFrame) -> tuple[list[Stakeholder], list[Unusable]]:
    """Rows of the stakeholders sheets → stakeholders, and the rows that cannot be used."""
    frame = frame.assign(problem=row_problem(frame, "stakeholders"))
    people: list[Stakeholder | None] = []
    unusable: list[Unusable] = []
    for row in frame.to_dict("records"):
        email = "" if pd.isna(row["email"]) else str(row["email"])
        name = email if pd.isna(row["name"]) else str(row["name"])
        scope = "all" if pd.isna(row["scope"]) else str(row["scope"])
        if not pd.isna(row["problem"]):
            unusable.append(Unusable(name, email, scope, f"{where(row)}: {row['problem']}"))
            continue
        language, formats = _language(row["language"]), split_formats(row["formats"])
        people.append(
            _person(where(row), unusable, name, email, scope, language=language, formats=formats)
        )
    return [p for p in people if p is not None], unusable


def employee_recipients(
    employees: pd.DataFrame, with_data: Mapping[str, str]
) -> tuple[list[Stakeholder], list[Unusable]]:
    """Each employee with data in the period (person key → name in the data) and an
    address: their own report, in their language."""
    keys = person_key(employees["employee"])
    rows = _latest_rows(employees.assign(problem=row_problem(employees, "employees")), keys)
    people: list[Stakeholder | None] = []
    unusable: list[Unusable] = []
    for key, row in zip(person_key(rows["employee"]), rows.to_dict("records"), strict=True):
        if key not in with_data:
            continue
        name = with_data[key]
        scope = Scope("employee", name).label
        if pd.isna(row["email"]):
            why = f"{where(row)}: no email address; add one to send {name} their report"
            unusable.append(Unusable(name, "", scope, why, failed=False))
        elif not pd.isna(row["problem"]):
            unusable.append(
                Unusable(name, str(row["email"]), scope, f"{where(row)}: {row['problem']}")
            )
        else:
            language = _language(row["language"])
            people.append(
                _person("employees", unusable, name, str(row["email"]), scope, language=language)
            )
    return [p for p in people if p is not None], unusable


def manager_recipients(
    employees: pd.DataFrame,
    with_data: Mapping[str, str],
    teams: Iterable[str],
    members: bool,
    known: Mapping[str, str] | None = None,
) -> tuple[list[Stakeholder], list[Unusable]]:
    """Each manager named by a team's members (manager_email): the team's report, and with
    `members` each member's report attached. Only teams with data in the period.
    `known`: address → name of people listed elsewhere (a manager without a row)."""
    rows = _latest_rows(employees, person_key(employees["employee"]))
    rows = rows.assign(key=person_key(rows["employee"]))
    rows = rows.assign(manager_email=rows["manager_email"].mask(bad_address(rows["manager_email"])))
    listed = rows[rows["email"].notna()]
    # a manager who is in the sheet too is greeted by name, in their language
    addresses = listed["email"].str.lower()
    own = dict(zip(addresses, listed[["employee", "language"]].itertuples(), strict=True))
    people: list[Stakeholder] = []
    unusable: list[Unusable] = []
    wanted = rows[rows["team"].isin(list(teams)).fillna(False).astype(bool)]
    for team, in_team in wanted.groupby("team", sort=True):  # one pass, however many teams
        attach = tuple(
            Scope("employee", with_data[k]).label for k in sorted(in_team["key"]) if k in with_data
        )
        for address in dict.fromkeys(in_team["manager_email"].dropna().astype(str)):
            manager = own.get(address.lower())
            fallback = (known or {}).get(address.lower(), address.split("@")[0])
            name = str(manager.employee) if manager else fallback
            language = _language(manager.language) if manager else None
            scope = Scope("team", str(team)).label
            found = _person("manager", unusable, name, address, scope, language=language)
            if found is not None:
                people.append(dataclasses.replace(found, attach_scopes=attach if members else ()))
    return people, unusable


def build_recipients(
    config: Config,
    stakeholders: pd.DataFrame,
    employees: pd.DataFrame,
    with_data: Mapping[str, str],
    teams_with_data: Iterable[str],
) -> Recipients:
    """Everyone who gets a report this period, in order: config, sheet, employees, managers.

    `with_data`: person key → the employee's name as the data writes it, for employees
    with rows in the period; `teams_with_data`: teams whose report exists.
    """
    listed, unusable = sheet_stakeholders(stakeholders)
    if config.email.employee_reports:
        own, without = employee_recipients(employees, with_data)
        listed += own
        unusable += without
    if config.email.manager_reports:
        members = config.email.manager_reports == "team+members"
        known = {p.email.lower(): p.name for p in (*listed[::-1], *config.stakeholders[::-1])}
        managers, without = manager_recipients(
            employees, with_data, teams_with_data, members, known
        )
        listed += managers
        unusable += without
    people = list(config.stakeholders)
    seen = {(p.email.lower(), p.scope) for p in people}
    duplicates = []
    for person in listed:
        key = (person.email.lower(), person.scope)
        if key in seen:
            duplicates.append(f"{person.email} ({person.scope})")
            continue
        seen.add(key)
        people.append(person)
    return Recipients(tuple(people), tuple(unusable), tuple(duplicates))


def period_recipients(config: Config, dataset: Dataset, model: ReportModel) -> Recipients:
    """The recipients of one period's reports: the employees and teams with data in it."""
    names = model.by_employee["employee"].dropna().astype(str)
    with_data = dict(zip(person_key(names), names, strict=True))
    teams = () if model.by_team is None else model.by_team["team"].dropna().astype(str)
    named = [team for team in teams if team != NO_TEAM]
    return build_recipients(config, dataset.stakeholders, dataset.employees, with_data, named)


def unusable_deliveries(recipients: Recipients) -> list[Delivery]:
    """The people a sheet names who cannot be sent their report: failed, with the row."""
    return [
        Delivery(u.name, u.email, u.scope, (), "failed", error=u.reason)
        for u in recipients.unusable
        if u.failed
    ]


def recipients_json(recipients: Recipients) -> dict[str, Any]:
    """What the manifest keeps, so `approve` and `resend` reach the same people."""
    return {
        "from_sheets": [asdict(p) for p in recipients.people if p.origin != "config"],
        "not_sent": [asdict(u) for u in recipients.unusable],
        "listed_twice": list(recipients.duplicates),
    }


def recipients_from_json(config: Config, recorded: Mapping[str, Any]) -> Recipients:
    """The recipients a manifest recorded (`recipients_json`), the config's first."""
    people = []
    for entry in recorded.get("from_sheets", []):
        fields: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()
        }
        people.append(Stakeholder(**fields))
    unusable = tuple(Unusable(**entry) for entry in recorded.get("not_sent", []))
    duplicates = tuple(str(d) for d in recorded.get("listed_twice", []))
    return Recipients((*config.stakeholders, *people), unusable, duplicates)


def recorded_recipients(config: Config, manifest: Mapping[str, Any]) -> tuple[Stakeholder, ...]:
    """The config's stakeholders and the sheets' people a run recorded in its manifest."""
    return recipients_from_json(config, manifest.get("recipients", {})).people
