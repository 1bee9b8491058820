"""The people sheets of a working folder: from the inbox's files (in the store) and from
the file `[email] stakeholders_file` names, read through the same ingest path.

The named file is read on every run, so editing it is enough; its rows come after the
stored files' (an employee listed in both takes its row). Its data tables, if any, are not
read: data goes through inbox/.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from roi_reports.config import Config
from roi_reports.errors import ConfigError
from roi_reports.fsutil import sha256_file
from roi_reports.ingest.dataset import Dataset, FileTables, read_file_tables
from roi_reports.ingest.normalise import combine
from roi_reports.ingest.people import listed_in_two_files
from roi_reports.ingest.schemas import PEOPLE_KINDS
from roi_reports.validation import ValidationReport

SETTING = "[email] stakeholders_file"


def people_file(config: Config) -> Path | None:
    """The path `[email] stakeholders_file` names (relative to the config file)."""
    name = config.email.stakeholders_file
    if not name:
        return None
    base = config.source.parent if config.source else Path.cwd()
    return base / name


def people_file_hash(config: Config) -> tuple[str, str] | None:
    """(name, sha256) of the people file, for the output cache key and the manifest."""
    path = people_file(config)
    return (path.name, sha256_file(path)) if path is not None and path.is_file() else None


def read_people_file(config: Config) -> FileTables | None:
    """The people tables of `[email] stakeholders_file`; a file that cannot be used at all
    (missing, unreadable, no people sheet) is a ConfigError. Bad rows are warnings."""
    path = people_file(config)
    if path is None:
        return None
    shown = f"{SETTING} = {config.email.stakeholders_file!r}"
    if not path.is_file():
        raise ConfigError(f"{shown}: {path} not found; give a path relative to the config file")
    tables = read_file_tables(path, config)
    errors = [p for p in tables.problems if p.severity == "error"]
    if errors:
        raise ConfigError(
            f"{shown}: {errors[0].one_line()} ({len(errors)} problem(s); "
            f"`roi-reports validate {path}` lists them)"
        )
    frames = {kind: tables.frames[kind] for kind in PEOPLE_KINDS if kind in tables.frames}
    if not frames:
        raise ConfigError(
            f"{shown}: {path.name} has no stakeholders or employees sheet; name a sheet "
            "stakeholders (name, email, scope, language, formats) or employees"
        )
    ignored = sorted(set(tables.frames) - set(frames))
    notes = (
        [
            f"{path.name}: {', '.join(ignored)} not read ({SETTING} is read for people; "
            "drop data files into inbox/)"
        ]
        if ignored
        else []
    )
    return FileTables(path.name, frames, tables.problems, (*tables.notes, *notes))


def with_people(dataset: Dataset, people: FileTables | None) -> Dataset:
    """The dataset with the people file's rows after its own, and the file's warnings."""
    if people is None:
        return dataset
    employees = combine(
        [dataset.employees, people.frames.get("employees", dataset.employees.iloc[:0])], "employees"
    )
    stakeholders = combine(
        [dataset.stakeholders, people.frames.get("stakeholders", dataset.stakeholders.iloc[:0])],
        "stakeholders",
    )
    known = set(dataset.report.problems)
    twice = [p for p in listed_in_two_files(employees) if p not in known]
    report = ValidationReport([*dataset.report.problems, *people.problems, *twice])
    return dataclasses.replace(
        dataset,
        employees=employees,
        stakeholders=stakeholders,
        report=report,
        notes=(*dataset.notes, *people.notes),
    )
