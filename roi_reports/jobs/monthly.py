"""`roi-reports run`: inbox → store → period → Excel + PDFs → deliveries → manifest.

Every output is written aside and renamed into place, the inbox step stores before it
moves, and deliveries are recorded in a ledger, so the job can be killed at any point and
simply run again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from roi_reports.config import Config, ReportConfig
from roi_reports.delivery.deliver import Delivery, any_failed, deliver
from roi_reports.delivery.smtp import check_settings
from roi_reports.diskfull import writing
from roi_reports.engine import engine_dataset, store_sources
from roi_reports.errors import InputError, RoiReportsError
from roi_reports.ingest.dataset import Dataset, assemble
from roi_reports.jobs.checkpoints import checkpoint
from roi_reports.jobs.inbox import IngestSummary, ingest
from roi_reports.jobs.leftovers import remove_leftovers
from roi_reports.jobs.lock import job_lock
from roi_reports.jobs.manifest import MANIFEST_NAME, OutputFile, write_manifest
from roi_reports.jobs.output_cache import (
    CACHE_KEY,
    Reusable,
    output_cache_key,
    reusable,
    templates_sha256,
)
from roi_reports.jobs.outputs import RenderedOutputs, render_outputs
from roi_reports.jobs.people import people_file, people_file_hash, read_people_file, with_people
from roi_reports.jobs.preflight import check_outputs
from roi_reports.jobs.recipients import (
    Recipients,
    period_recipients,
    recipients_json,
    unusable_deliveries,
)
from roi_reports.jobs.replay import (
    OVERVIEW,
    SEAL,
    Overview,
    RecordedHeadlines,
    recorded_run,
    seal,
)
from roi_reports.jobs.workdir import WorkDir
from roi_reports.periods import Period, make_period, month_index, previous_period
from roi_reports.pipeline import resolve_period
from roi_reports.reports.headline import Headlines
from roi_reports.reports.model import (
    MetricsMemo,
    ReportModel,
    build_report_model,
    trend_window,
)
from roi_reports.reports.pdf import EarlyWorkers
from roi_reports.store import Store, StoredFile

log = logging.getLogger("roi_reports.run")
Progress = Callable[[str, str], None]  # (stage, detail)


@dataclass
class RunResult:
    period: Period
    ingest: IngestSummary
    overview: Overview  # the period's totals and warnings, computed or replayed
    outputs: RenderedOutputs
    manifest: Path
    deliveries: list[Delivery] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    withheld: dict[str, str] = field(default_factory=dict)  # report → why it is not out

    @property
    def exit_code(self) -> int:
        """SPEC §6: 3 when done with quarantined files, failed deliveries or a report that
        could not be made or failed its check (whether or not anyone was to get it).

        A message this run handed over without the server's confirmation ("possibly
        sent") counts as failed here: someone has to ask whether it arrived.
        """
        failed = any_failed(self.deliveries)
        return 3 if self.ingest.quarantined or failed or self.withheld else 0


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
    # a run that reads new files renders: its PDF workers warm up while it stores them
    with job_lock(workdir.lock), EarlyWorkers(config) as pdf_workers:
        remove_leftovers(workdir)  # of runs killed earlier: the lock says none runs now
        with timer.phase("ingest"):
            summary = ingest(
                workdir,
                config,
                now,
                lambda name: say("read", name),
                after_reading=pdf_workers.start,
            )
        period = resolve_period(period_text or "previous-month", config.report, now.date())
        assert period is not None  # a text was given
        out_dir = workdir.out / period.label
        stored = [(f.name, f.sha256) for f in Store(workdir.store).files()]
        key = output_cache_key(
            stored + list(filter(None, [people_file_hash(config)])), config, period.label
        )
        found = reusable(out_dir, key)
        recorded = None if found is None else recorded_run(found, config)
        computed: Computed | None = None
        if recorded is None:
            if not (out_dir / MANIFEST_NAME).is_file():
                pdf_workers.start()  # no run of the period has finished: this one renders
            computed = compute_period(workdir, config, period, summary, timer)
            overview, recipients = computed.overview, computed.recipients
        else:
            pdf_workers.close()  # started for new files, all of them quarantined
            overview, recipients = recorded.overview, recorded.recipients
        config = dataclasses.replace(config, stakeholders=recipients.people)
        for person in recipients.unusable:
            log.warning("no report for %s (%s): %s", person.name, person.scope, person.reason)
        sending = config.email.enabled if send is None else send
        if sending:
            check_settings(config.email)  # a missing password fails now, not after rendering
        facts = ManifestFacts(
            workdir,
            now,
            summary,
            period.label,
            overview,
            timer.timings,
            key,
            templates_sha256(config),
            recipients,
        )
        headlines: Headlines | RecordedHeadlines
        checked: dict[str, str]
        if computed is None:
            assert recorded is not None
            say("excel", "unchanged since the last run: outputs and figures reused")
            outputs, checked, headlines = recorded.outputs, {}, recorded.headlines
        else:
            outputs, checked = render_and_check(
                computed, config, out_dir, found, facts, timer, say, pdf_workers
            )
            headlines = Headlines(computed.dataset, config, period, computed.memo)
        withheld = {**outputs.failed, **checked}
        for problem in withheld.values():
            log.error("withheld from delivery: %s", problem)
        checkpoint("delivering")
        with timer.phase("deliver"), writing("the messages or the delivery ledger", workdir.root):
            deliveries = deliver(
                config,
                period.label,
                headlines,
                outputs.attachments(),
                ledger_path=workdir.ledger,
                outbox_dir=workdir.outbox / period.label,
                send=sending,
                force=force,
                now=now,
                progress=lambda detail: say("email", detail),
                withheld=withheld,
            ) + unusable_deliveries(recipients)
        given_before(headlines, config, deliveries)
        manifest = out_dir / MANIFEST_NAME
        timer.timings.update({**summary.timings, **outputs.timings})
        content = facts.content(outputs.files, deliveries, headlines.given)
        extra = {"outputs_reused": outputs.reused, "withheld": withheld}
        if people := people_file_hash(config):  # read on every run, not stored
            extra["stakeholders_file"] = {"file": people[0], "sha256": people[1]}
        with writing(f"the manifest of {period.label}", out_dir):
            write_manifest(manifest, {**content, **extra})
        result = RunResult(
            period, summary, overview, outputs, manifest, deliveries, timer.timings, withheld
        )
        log.info("run for %s done: exit code %d", period.label, result.exit_code)
        return result


@dataclass(frozen=True)
class Computed:
    """The period's figures, worked out from the store (what a replay reads back)."""

    dataset: Dataset
    model: ReportModel
    memo: MetricsMemo  # team-wide tables, shared by every model of this run
    inputs: list[Path]  # the archived files the reports name
    overview: Overview
    recipients: Recipients


def compute_period(
    workdir: WorkDir, config: Config, period: Period, summary: IngestSummary, timer: Timer
) -> Computed:
    """Load the store and compute the period's model and recipients."""
    with timer.phase("load"):
        dataset = load_store(workdir, config, run_months(period, config.report))
        dataset = with_people(dataset, read_people_file(config))
    require_data(dataset, period, [q.moved_to for q in summary.quarantined])
    inputs = archived_inputs(workdir, config)
    memo: MetricsMemo = {}
    with timer.phase("metrics"):
        model = build_report_model(dataset, config, period, inputs=inputs, memo=memo)
        recipients = period_recipients(config, dataset, model)
    overview = Overview.of(model, config.report.language)
    return Computed(dataset, model, memo, inputs, overview, recipients)


def render_and_check(
    computed: Computed,
    config: Config,
    out_dir: Path,
    found: Reusable | None,
    facts: ManifestFacts,
    timer: Timer,
    say: Progress,
    pdf_workers: EarlyWorkers,
) -> tuple[RenderedOutputs, dict[str, str]]:
    """The period's workbook and PDFs (those `found` intact, if any) and what their
    checks found wrong: file → why it is withheld."""

    def publish_pending(folder: Path, files: list[OutputFile]) -> None:
        write_manifest(folder / MANIFEST_NAME, facts.content(files, None, {}))

    with timer.phase("render"), writing(f"the reports for {out_dir.name}", out_dir.parent):
        reused = None if found is None else found.outputs
        if reused is not None:
            pdf_workers.close()  # started for new files, all of them quarantined
            say("excel", "unchanged since the last run: outputs reused")
        outputs = reused or render_outputs(
            computed.dataset,
            config,
            computed.model,
            out_dir,
            computed.inputs,
            say,
            before_publish=publish_pending,
            memo=computed.memo,
            pdf_workers=pdf_workers.pool,
        )
    with timer.phase("checks"):
        # reused outputs too, unless a finished run checked these same bytes: a run
        # killed before its checks left a reusable folder
        checked = (
            {}
            if outputs.checked
            else check_outputs(
                outputs.folder,
                outputs.files,
                computed.model,
                config.report.language,
                outputs.verdicts,
            )
        )
    return outputs, checked


def run_months(period: Period, settings: ReportConfig) -> tuple[int, int]:
    """The months a run's reports show: the period, the previous one and the trend window."""
    fys = settings.fiscal_year_start
    starts = (period.start, previous_period(period, fys).start, trend_window(period, fys).start)
    return min(month_index(d.year, d.month) for d in starts), month_index(
        period.end.year, period.end.month
    )


def load_store(workdir: WorkDir, config: Config, months: tuple[int, int] | None = None) -> Dataset:
    """The stored files as one Dataset; the Dask engine reads only `months` of their rows."""
    store = Store(workdir.store)
    if config.engine.kind == "dask":
        return engine_dataset(store_sources(store, months), config)
    dataset = assemble(store.load_all(), config)
    if not dataset.report.ok:
        raise InputError(dataset.report)
    return dataset


SENT_BEFORE = ("already-sent", "possibly-sent")  # by an earlier run, the ledger says


def given_before(
    headlines: Headlines | RecordedHeadlines, config: Config, deliveries: Sequence[Delivery]
) -> None:
    """The figures of messages an earlier run sent (or possibly sent) go into this manifest
    as well, so that `resend` repeats them beside this run's files, and the next rerun can
    replay them (a rerun builds no message for them)."""
    earlier = {(d.email, d.scope) for d in deliveries if d.status in SENT_BEFORE}
    for person in config.stakeholders:
        if (person.email, person.scope) in earlier:
            headlines(person.scope, person.language or config.report.language)


FOLDER_HINT = "drop that period's sheets into inbox/ or choose another --period"


def require_data(
    dataset: Dataset, period: Period, quarantined: Sequence[str] = (), hint: str = FOLDER_HINT
) -> None:
    """A period with no rows at all is a mistake (wrong --period, files not dropped yet)."""
    covered = _covered(dataset, period)
    if covered is None:
        return
    if quarantined:
        names = ", ".join(f"quarantine/{name}" for name in quarantined)
        raise RoiReportsError(
            f"no results or costs for period {period.label} ({covered}): this run's files "
            f"were invalid and quarantined ({names}); fix the problems listed in their "
            ".errors.csv and drop them into inbox/ again"
        )
    raise RoiReportsError(f"no results or costs for period {period.label} ({covered}); {hint}")


def _covered(dataset: Dataset, period: Period) -> str | None:
    """None when the period has rows, else what the data does cover."""
    spans = [s for s in _spans(dataset) if not s.empty]
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    if any(((s["start"] >= start) & (s["end"] <= end)).any() for s in spans):
        return None
    window = dataset.sums.months if dataset.sums is not None else None
    if not spans and window is not None:  # the engine read only the run's months
        first, last = (make_period("month", m).label for m in window)
        return f"the store has no rows for {first}..{last}"
    if not spans:
        return "the store is empty"
    first = min(s["start"].min() for s in spans)
    last = max(s["end"].max() for s in spans)
    return f"the data covers {first:%Y-%m-%d} to {last:%Y-%m-%d}"


def _spans(dataset: Dataset) -> list[pd.DataFrame]:
    """(start, end) of the rows, or of the month sums when an engine kept only those."""
    if dataset.sums is None:
        return [dataset.results, dataset.costs]
    return [
        pd.DataFrame({"start": _month_start(f["start_m"]), "end": _month_end(f["end_m"])})
        for f in (dataset.sums.results, dataset.sums.costs)
    ]


def _month_start(months: pd.Series) -> pd.Series:
    return pd.to_datetime(pd.DataFrame({"year": months // 12, "month": months % 12 + 1, "day": 1}))


def _month_end(months: pd.Series) -> pd.Series:
    return _month_start(months) + pd.offsets.MonthEnd(0)


def archived_inputs(workdir: WorkDir, config: Config | None = None) -> list[Path]:
    """The archived copies of the files in the store, and `[email] stakeholders_file`
    (their hashes go into the reports)."""
    files = Store(workdir.store).files()
    paths = [workdir.root / f.archived_as for f in files]
    people = people_file(config) if config is not None else None
    return [p for p in [*paths, people] if p is not None and p.exists()]


@dataclass(frozen=True)
class ManifestFacts:
    """What every version of a run's manifest.json says; outputs and deliveries vary."""

    workdir: WorkDir
    now: datetime
    ingest: IngestSummary
    period_label: str
    overview: Overview
    timings: dict[str, float]
    cache_key: str  # what the outputs were made from (jobs/output_cache.py)
    templates_sha256: str  # the template files the PDFs were rendered from
    recipients: Recipients  # who the period's reports are for

    def content(
        self,
        files: list[OutputFile],
        deliveries: list[Delivery] | None,
        headlines: dict[str, dict[str, str]],
    ) -> dict[str, Any]:
        """`deliveries=None` while they are pending (written before the outputs go live)."""
        ingest = self.ingest
        content = {
            "period": self.period_label,
            "generated_at": self.now,  # the run time (the reports print their data's last day)
            "templates_sha256": self.templates_sha256,
            "inputs": [_input_entry(f) for f in Store(self.workdir.store).files()],
            "recipients": recipients_json(self.recipients),
            "this_run": {
                "accepted": ingest.accepted,
                "duplicates": [{"file": n, "same_as": s} for n, s in ingest.duplicates],
                "quarantined": ingest.quarantined,
                "waiting": ingest.waiting,  # still being written: left in inbox/
            },
            "outputs": files,
            "deliveries": "pending" if deliveries is None else [d.to_json() for d in deliveries],
            "headlines": headlines,
            "warnings": list(self.overview.warnings),
            OVERVIEW: self.overview.to_json(),
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
            CACHE_KEY: self.cache_key,
        }
        return {**content, SEAL: seal(content)}


def _input_entry(stored: StoredFile) -> dict[str, Any]:
    return {
        "file": stored.name,
        "sha256": stored.sha256,
        "rows": stored.rows,
        "ingested_at": stored.ingested_at,
        "archived_as": stored.archived_as,
        "replaced_versions": list(stored.replaced),
    }
