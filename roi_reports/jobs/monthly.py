"""`roi-reports run`: inbox → store → period → Excel + PDFs → deliveries → manifest.

Every output is written aside and renamed into place, the inbox step stores before it
moves, and deliveries are recorded in a ledger, so the job can be killed at any point and
simply run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from roi_reports.config import Config
from roi_reports.dataset import Dataset, assemble
from roi_reports.delivery.deliver import Delivery, deliver, headline_from_model
from roi_reports.errors import InputError, RoiReportsError
from roi_reports.jobs.inbox import IngestSummary, ingest
from roi_reports.jobs.lock import job_lock
from roi_reports.jobs.manifest import write_manifest
from roi_reports.jobs.output_cache import CACHE_KEY, cached_outputs, output_cache_key
from roi_reports.jobs.outputs import RenderedOutputs, render_outputs
from roi_reports.jobs.workdir import WorkDir
from roi_reports.periods import Period
from roi_reports.pipeline import resolve_period
from roi_reports.reports.model import ReportModel, build_report_model
from roi_reports.store import Store

log = logging.getLogger("roi_reports.run")
Progress = Callable[[str, str], None]  # (stage, detail)


@dataclass
class RunResult:
    period: Period
    ingest: IngestSummary
    model: ReportModel
    outputs: RenderedOutputs
    manifest: Path
    deliveries: list[Delivery] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed_deliveries(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.status == "failed"]

    @property
    def exit_code(self) -> int:
        """SPEC §6: 3 when done with quarantined files or failed deliveries."""
        return 3 if self.ingest.quarantined or self.failed_deliveries else 0


class Timer:
    """Wall-clock seconds per phase, for the manifest and `--verbose`."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(time.perf_counter() - start, 3)


def run_monthly(
    workdir: WorkDir,
    config: Config,
    period_text: str | None,
    now: datetime,
    send: bool | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """The whole monthly job under the working folder's lock.

    `send=None` follows `[email] enabled`; False writes .eml files to the outbox instead.
    """
    say = progress or (lambda stage, detail: None)
    timer = Timer()
    with job_lock(workdir.lock):
        with timer.phase("ingest"):
            summary = ingest(workdir, config, now, lambda name: say("read", name))
        with timer.phase("load"):
            dataset = load_store(workdir, config)
        period = resolve_period(period_text or "previous-month", config.report, now.date())
        assert period is not None  # a text was given
        require_data(dataset, period)
        inputs = archived_inputs(workdir)
        with timer.phase("metrics"):
            model = build_report_model(dataset, config, period, now, inputs=inputs)
        out_dir = workdir.out / period.label
        stored = [(f.name, f.sha256) for f in Store(workdir.store).files()]
        key = output_cache_key(stored, config, period.label)
        with timer.phase("render"):
            reused = cached_outputs(out_dir, key)
            if reused is not None:
                say("excel", "unchanged since the last run: outputs reused")
            outputs = reused or render_outputs(dataset, config, model, out_dir, inputs, say)
        with timer.phase("deliver"):
            deliveries = deliver(
                config,
                period.label,
                headline_from_model(model, config.report.language),
                outputs.attachments(),
                ledger_path=workdir.ledger,
                outbox_dir=workdir.outbox / period.label,
                send=config.email.enabled if send is None else send,
                force=force,
                now=now,
                progress=lambda detail: say("email", detail),
            )
        manifest = out_dir / "manifest.json"
        timings = {**summary.timings, **timer.timings, **outputs.timings}
        result = RunResult(period, summary, model, outputs, manifest, deliveries, timings)
        content = manifest_content(result, workdir, now)
        write_manifest(manifest, {**content, CACHE_KEY: key, "outputs_reused": bool(reused)})
        log.info("run for %s done: exit code %d", period.label, result.exit_code)
        return result


def load_store(workdir: WorkDir, config: Config) -> Dataset:
    dataset = assemble(Store(workdir.store).load_all(), config)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    return dataset


def require_data(dataset: Dataset, period: Period) -> None:
    """A period with no rows at all is a mistake (wrong --period, files not dropped yet)."""
    frames = [f for f in (dataset.results, dataset.costs) if not f.empty]
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    if any(((f["start"] >= start) & (f["end"] <= end)).any() for f in frames):
        return
    if not frames:
        covered = "the store is empty"
    else:
        first = min(f["start"].min() for f in frames)
        last = max(f["end"].max() for f in frames)
        covered = f"the data covers {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    raise RoiReportsError(
        f"no results or costs for period {period.label} ({covered}); drop that period's "
        "sheets into inbox/ or choose another --period"
    )


def archived_inputs(workdir: WorkDir) -> list[Path]:
    """The archived copies of the files in the store (their hashes go into the reports)."""
    files = Store(workdir.store).files()
    paths = [workdir.root / f.archived_as for f in files]
    return [p for p in paths if p.exists()]


def manifest_content(result: RunResult, workdir: WorkDir, now: datetime) -> dict[str, Any]:
    store = Store(workdir.store)
    return {
        "period": result.period.label,
        "generated_at": now,
        "inputs": [
            {
                "file": f.name,
                "sha256": f.sha256,
                "rows": f.rows,
                "ingested_at": f.ingested_at,
                "archived_as": f.archived_as,
                "replaced_versions": list(f.replaced),
            }
            for f in store.files()
        ],
        "this_run": {
            "accepted": result.ingest.accepted,
            "duplicates": [{"file": n, "same_as": s} for n, s in result.ingest.duplicates],
            "quarantined": result.ingest.quarantined,
        },
        "outputs": result.outputs.files,
        "deliveries": [d.to_json() for d in result.deliveries],
        "warnings": [p.one_line() for p in result.model.warnings],
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
    }
