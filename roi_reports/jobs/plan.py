"""The send plan: who would get which files for a period, before anything is sent.

Read-only: nothing is ingested, rendered, written or sent. File sizes come from the
period's last run when its outputs exist; headline figures are computed from the store.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roi_reports.config import Config
from roi_reports.delivery.ledger import Ledger
from roi_reports.email_settings import Stakeholder
from roi_reports.fsutil import sha256_file
from roi_reports.ingest.dataset import Dataset, assemble, read_file_tables
from roi_reports.jobs.inbox import inbox_files
from roi_reports.jobs.outputs import own_language, pdf_folder, report_scopes, translated_scopes
from roi_reports.jobs.recipients import period_recipients
from roi_reports.jobs.workdir import WorkDir
from roi_reports.periods import Period
from roi_reports.reports.excel import summary_file_name
from roi_reports.reports.headline import Headlines
from roi_reports.reports.model import MetricsMemo, ReportModel, Scope, build_report_model
from roi_reports.reports.pdf import unique_pdf_names
from roi_reports.store import Store

PLAN_METRICS = ("revenue", "cost", "roi_pct")


@dataclass(frozen=True)
class PlannedFile:
    name: str
    bytes: int | None  # None: not rendered yet


@dataclass(frozen=True)
class PlannedDelivery:
    name: str
    email: str
    scope: str
    files: tuple[PlannedFile, ...]
    status: str  # "to send", "already sent", "held", "no report", "invalid", "no address"
    headline: tuple[tuple[str, str, str], ...]  # (label, this period, change vs previous)
    note: str | None = None
    origin: str = "config"  # the config, a sheet's row, "employees" or "manager"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "scope": self.scope,
            "origin": self.origin,
            "files": [{"name": f.name, "bytes": f.bytes} for f in self.files],
            "status": self.status,
            # a note among the figures (the cost left out) has no change: null
            "headline": [
                {"metric": m, "value": value, "change": change or None}
                for m, value, change in self.headline
            ],
            "note": self.note,
        }


@dataclass(frozen=True)
class SendPlan:
    period: str
    send: bool  # False: the run would write .eml files to the outbox instead
    waiting_in_inbox: tuple[str, ...]
    deliveries: tuple[PlannedDelivery, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "send": self.send,
            "waiting_in_inbox": list(self.waiting_in_inbox),
            "deliveries": [d.to_json() for d in self.deliveries],
        }


def plan_deliveries(
    workdir: WorkDir,
    dataset: Dataset,
    config: Config,
    period: Period,
    send: bool,
) -> SendPlan:
    memo: MetricsMemo = {}  # team-wide tables shared by every recipient's scope
    model = build_report_model(dataset, config, period, memo=memo)
    recipients = period_recipients(config, dataset, model)
    config = dataclasses.replace(config, stakeholders=recipients.people)
    scopes = report_scopes(model, config)
    names = unique_pdf_names(scopes)
    # a language's folder numbers colliding names among its own scopes, as the run does
    names_in = {
        language: unique_pdf_names(wanted)
        for language, wanted in translated_scopes(scopes, config).items()
    }
    out_dir = workdir.out / period.label
    sent, approved = _ledger_state(workdir.ledger, period.label)
    hold = send and config.email.require_approval and not approved
    headlines = Headlines(dataset, config, period, memo)
    planned = []
    for person in config.stakeholders:
        scope = Scope.parse(person.scope)
        language = own_language(person, config)
        in_folder = names_in.get(language, names) if language else names
        files = _files_for(person, scope, in_folder, model, out_dir, language)
        if files is None:
            status, note, files = "no report", f"no data for {person.scope} in {period.label}", ()
        elif (person.email.lower(), person.scope) in sent:
            status, note = "already sent", "rerun with --force to send again"
        elif hold:
            status, note = "held", f"sent after `roi-reports approve --period {period.label}`"
        else:
            status, note = "to send", None
        language = person.language or config.report.language
        figures = headlines.figures(person.scope, language, PLAN_METRICS) if files else ()
        planned.append(
            PlannedDelivery(
                person.name,
                person.email,
                person.scope,
                files,
                status,
                tuple((f.label, f.value, f.change) for f in figures),
                note,
                person.origin,
            )
        )
    planned += [
        PlannedDelivery(
            u.name,
            u.email,
            u.scope,
            (),
            "invalid" if u.failed else "no address",
            (),
            u.reason,
            "sheet",
        )
        for u in recipients.unusable
    ]
    waiting = tuple(p.name for p in inbox_files(workdir.inbox))
    return SendPlan(period.label, send, waiting, tuple(planned))


def _files_for(
    person: Stakeholder,
    scope: Scope,
    names: dict[Scope, str],
    model: ReportModel,
    out_dir: Path,
    language: str | None,
) -> tuple[PlannedFile, ...] | None:
    wanted: list[Path] = []
    if "pdf" in person.formats:
        if scope not in names:
            return None
        wanted.append(pdf_folder(out_dir, language) / names[scope])
    if "xlsx" in person.formats:
        wanted.append(out_dir / summary_file_name(model))
    if "pdf" in person.formats:  # a manager's members, as delivery attaches them
        members = (Scope.parse(label) for label in person.attach_scopes)
        wanted += [pdf_folder(out_dir, language) / names[s] for s in members if s in names]
    return tuple(PlannedFile(p.name, p.stat().st_size if p.is_file() else None) for p in wanted)


def _ledger_state(ledger: Path, period: str) -> tuple[set[tuple[str, str]], bool]:
    """(already delivered (email, scope) pairs, approved?), read without creating a ledger."""
    if not ledger.is_file():
        return set(), False
    with Ledger(ledger, read_only=True) as records:
        return records.delivered(period), records.approved(period)


def preview_dataset(workdir: WorkDir, config: Config) -> Dataset:
    """The store as the next run will see it: plus the valid files waiting in the inbox."""
    store = Store(workdir.store)
    waiting = [
        read_file_tables(path, config)
        for path in inbox_files(workdir.inbox)
        if store.find(sha256_file(path)) is None  # same content already stored
    ]
    valid = [t for t in waiting if not t.has_errors]
    replaced = {t.name for t in valid}
    stored = [t for t in store.load_all() if t.name not in replaced]
    return assemble([*stored, *valid], config)


def plan_lines(plan: SendPlan, outbox: Path) -> list[str]:
    """The plan as a person reads it."""
    how = "email" if plan.send else f"dry run: .eml files to {outbox}"
    lines = [f"Send plan for {plan.period} ({how}); nothing has been sent or written"]
    if plan.waiting_in_inbox:
        lines.append(
            f"  waiting in inbox/ (read first by the run): {', '.join(plan.waiting_in_inbox)}"
        )
    if not plan.deliveries:
        lines.append("  no [[stakeholders]] in the config: the run makes reports, sends nothing")
    for d in plan.deliveries:
        source = "" if d.origin == "config" else f" [{d.origin}]"
        lines.append(f"  {d.status:<12} {d.name} <{d.email}> ({d.scope}){source}")
        if d.files:
            lines.append("      files: " + ", ".join(_file_text(f) for f in d.files))
        if d.headline:
            figures = ", ".join(
                f"{m} {value} ({change})" for m, value, change in d.headline if change
            )
            lines.append(f"      {figures}")
            # a note (the cost left out) has no change, and a line of its own
            lines += [f"      {m}: {value}" for m, value, change in d.headline if not change]
        if d.note:
            lines.append(f"      {d.note}")
    return lines


def _file_text(file: PlannedFile) -> str:
    size = "not rendered yet" if file.bytes is None else f"{file.bytes / 1024:,.0f} KB"
    return f"{file.name} ({size})"
