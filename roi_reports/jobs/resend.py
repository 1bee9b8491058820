"""`roi-reports resend`: the period's reports, exactly as they were made, to one person.

The files come from `out/<period>/` as listed in its manifest, and must still match
the hashes recorded there, so a resend is the same report, not a new one. The send is
recorded in the ledger like any other (as forced).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from roi_reports.config import Config
from roi_reports.delivery.deliver import Delivery, deliver
from roi_reports.delivery.ledger import Ledger
from roi_reports.email_settings import Stakeholder
from roi_reports.errors import RoiReportsError, UsageError
from roi_reports.jobs.lock import job_lock
from roi_reports.jobs.manifest import MANIFEST_NAME, OutputFile
from roi_reports.jobs.recipients import recorded_recipients
from roi_reports.jobs.workdir import WorkDir


def resend(
    workdir: WorkDir,
    config: Config,
    period_label: str,
    address: str,
    now: datetime,
    progress: Callable[[str], None] | None = None,
) -> list[Delivery]:
    everyone = recorded_recipients(config, _manifest(workdir.out / period_label, period_label))
    people = tuple(s for s in everyone if s.email.lower() == address.lower())
    if not people:
        known = ", ".join(sorted({s.email for s in everyone})) or "none"
        raise UsageError(
            f"{address} is not a stakeholder of {period_label} in the config or the people "
            f"sheets (stakeholders: {known})"
        )
    with job_lock(workdir.lock):
        return deliver_recorded(workdir, config, period_label, people, True, now, progress)


def approve(
    workdir: WorkDir,
    config: Config,
    period_label: str,
    now: datetime,
    progress: Callable[[str], None] | None = None,
) -> list[Delivery]:
    """Record the approval of a period held by `require_approval`, then send its reports.

    Whoever already got them (the ledger says) is not mailed again.
    """
    with job_lock(workdir.lock):
        manifest = _manifest(workdir.out / period_label, period_label)  # there must be reports
        with Ledger(workdir.ledger) as ledger:
            ledger.approve(period_label, now)
        people = recorded_recipients(config, manifest)
        return deliver_recorded(workdir, config, period_label, people, False, now, progress)


def deliver_recorded(
    workdir: WorkDir,
    config: Config,
    period_label: str,
    people: tuple[Stakeholder, ...],
    force: bool,
    now: datetime,
    progress: Callable[[str], None] | None = None,
) -> list[Delivery]:
    """Send the files of out/<period>/ as its manifest lists them (hashes checked)."""
    out_dir = workdir.out / period_label
    manifest = _manifest(out_dir, period_label)
    return deliver(
        dataclasses.replace(config, stakeholders=people),
        period_label,
        _recorded_headline(manifest.get("headlines", {})),
        _attachments(out_dir, manifest),
        ledger_path=workdir.ledger,
        outbox_dir=workdir.outbox / period_label,
        send=True,
        force=force,
        now=now,
        progress=progress,
        withheld=manifest.get("withheld", {}),
    )


def _manifest(out_dir: Path, period_label: str) -> dict[str, Any]:
    path = out_dir / MANIFEST_NAME
    if not path.is_file():
        raise RoiReportsError(
            f"no reports for {period_label} in {out_dir.parent}: make them first with "
            f"`roi-reports run --period {period_label}`"
        )
    content: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return content


def _recorded_headline(
    recorded: dict[str, dict[str, str]],
) -> Callable[[str, str], dict[str, str]]:
    """The figures the run put in the first email (the same files, the same numbers)."""
    return lambda scope, language: recorded.get(f"{scope}|{language}", {})


def _attachments(out_dir: Path, manifest: dict[str, Any]) -> dict[str, list[Path]]:
    """Scope label → files, checked against the hashes the run recorded."""
    found: dict[str, list[Path]] = {}
    for output in (OutputFile(**entry) for entry in manifest["outputs"]):
        path = out_dir / output.path
        if not output.intact(out_dir):
            raise RoiReportsError(
                f"{path} is missing or changed since the run that made it; rerun "
                f"`roi-reports run --period {manifest['period']}` to rebuild the reports"
            )
        found.setdefault(output.attachment_key, []).append(path)
    return found
