"""A period's output folder: the workbook and the PDFs, built aside and swapped in whole.

Everything is rendered into a hidden staging folder next to `out/<period>/` and then
renamed into place, so readers (and a crash) only ever see the previous complete set or
the new complete set, and a report that no longer applies (an employee who left) does
not linger from an earlier run.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from roi_reports.config import Config
from roi_reports.email_settings import Stakeholder
from roi_reports.ingest.dataset import Dataset
from roi_reports.jobs.checkpoints import checkpoint
from roi_reports.jobs.manifest import OutputFile
from roi_reports.jobs.preflight import check_pdf
from roi_reports.org import NO_TEAM
from roi_reports.reports.excel import summary_file_name, write_workbook
from roi_reports.reports.model import MetricsMemo, ReportModel, Scope
from roi_reports.reports.pdf import render_reports

Progress = Callable[[str, str], None]  # (stage, detail)
PDF_FOLDER = "pdf"


@dataclass(frozen=True)
class RenderedOutputs:
    folder: Path
    workbook: Path
    pdfs: dict[Scope, Path]
    files: list[OutputFile]
    timings: dict[str, float] = field(default_factory=dict)  # excel, pdfs (s)
    failed: dict[str, str] = field(default_factory=dict)  # attachment key → why not made
    reused: bool = False  # the files of an earlier run (jobs/output_cache.py)
    checked: bool = False  # reused files that a finished run checked and found sound
    # file path → its check's verdict (None: sound), for the PDFs their workers checked
    verdicts: dict[str, str | None] = field(default_factory=dict)

    def attachments(self) -> dict[str, list[Path]]:
        """Files by scope label (and "<scope>|<language>" for translated reports), plus
        "xlsx" for the workbook: what delivery attaches."""
        found: dict[str, list[Path]] = {}
        for file in self.files:
            found.setdefault(file.attachment_key, []).append(self.folder / file.path)
        return found


def scopes_with_data(model: ReportModel) -> list[Scope]:
    """Every named channel, employee, campaign and team with rows in the model's period
    (the "(no team)" group of employees missing from the employees sheet is no team)."""
    tables = {"channel": model.by_channel, "employee": model.by_employee}
    tables["campaign"] = model.by_campaign
    if model.by_team is not None:
        tables["team"] = model.by_team[model.by_team["team"] != NO_TEAM]
    return [
        Scope(kind, name)  # type: ignore[arg-type]
        for kind, table in tables.items()
        for name in table[kind].dropna().astype(str)
    ]


def report_scopes(model: ReportModel, config: Config) -> list[Scope]:
    """The reports `[output] pdf_scopes` asks for, plus every stakeholder's scope.

    Per-group reports are made for the groups with data in the period (the rows of the
    model's tables, in their order); unassigned rows have no report of their own.
    """
    kinds = config.output.pdf_scopes
    with_data = scopes_with_data(model)
    scopes = [Scope()] if "all" in kinds else []
    scopes += [scope for scope in with_data if scope.kind in kinds]
    # a stakeholder whose group has no data gets no report; delivery reports that
    wanted = [Scope.parse(label) for s in config.stakeholders for label in wanted_scopes(s)]
    scopes += [s for s in wanted if (s.kind == "all" or s in with_data) and s not in scopes]
    return scopes


def own_language(person: Stakeholder, config: Config) -> str | None:
    """The stakeholder's language when it is not the report's: their PDFs are made apart."""
    language = person.language
    return language if language and language != config.report.language else None


def pdf_folder(out_dir: Path, language: str | None = None) -> Path:
    """Where a period's PDFs are: pdf/, and pdf/<language>/ for the translated copies."""
    return out_dir / PDF_FOLDER / language if language else out_dir / PDF_FOLDER


def translated_scopes(scopes: Sequence[Scope], config: Config) -> dict[str, list[Scope]]:
    """Language → the scopes whose stakeholders read another language than the report's."""
    wanted: dict[str, dict[Scope, None]] = {}  # dicts as ordered sets: first mention first
    for person in config.stakeholders:
        language = own_language(person, config)
        if not language or "pdf" not in person.formats:
            continue
        for scope in map(Scope.parse, wanted_scopes(person)):
            if scope in scopes:
                wanted.setdefault(language, {})[scope] = None
    return {language: list(found) for language, found in wanted.items()}


def wanted_scopes(person: Stakeholder) -> tuple[str, ...]:
    """The reports a person's email carries: their own scope's, then any attached ones."""
    return (person.scope, *person.attach_scopes)


def in_language(config: Config, language: str) -> Config:
    report = dataclasses.replace(config.report, language=language)  # type: ignore[arg-type]
    return dataclasses.replace(config, report=report)


def render_outputs(
    dataset: Dataset,
    config: Config,
    model: ReportModel,
    out_dir: Path,
    inputs: Sequence[Path],
    progress: Progress,
    before_publish: Callable[[Path, list[OutputFile]], None] | None = None,
    memo: MetricsMemo | None = None,
    pdf_workers: ProcessPoolExecutor | None = None,
) -> RenderedOutputs:
    """Write `out_dir` (= out/<period>/) afresh: the workbook and one PDF per scope.

    `before_publish(staging, files)` may add files (the manifest) to the staging folder
    before it replaces `out_dir`, so the published folder is complete from the start.
    `pdf_workers` (`reports.pdf.start_workers`) render the reports in the report language.
    """
    period = model.period
    workbook_name = summary_file_name(model)
    _remove_leftovers(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    staging.mkdir(parents=True)
    try:
        progress("excel", workbook_name)
        timings: dict[str, float] = {}
        start = time.perf_counter()
        scopes = report_scopes(model, config)
        done = iter(range(1, len(scopes) + 1))

        def pdf_done(scope: Scope) -> None:
            progress("pdf", f"[{next(done)}/{len(scopes)}] {scope.label}")

        failures: dict[Scope, str] = {}
        verdicts: dict[Path, str | None] = {}  # the preflight's, from the PDF workers
        # the workbook is written while the PDF workers render the first reports, which
        # would otherwise wait for it (this process only hands them their models)
        with ThreadPoolExecutor(1) as beside:
            workbook = beside.submit(
                _timed,
                timings,
                "excel",
                write_workbook,
                model,
                staging / workbook_name,
                config.report.language,
            )
            pdfs = render_reports(
                dataset,
                config,
                period,
                scopes,
                pdf_folder(staging),
                inputs=inputs,
                progress=lambda scope: _unless_failed(workbook, pdf_done, scope),
                failures=failures,
                memo=memo,
                pool=pdf_workers,
                check=check_pdf,
                verdicts=verdicts,
            )
            workbook.result()
        failed = {scope.label: why for scope, why in failures.items()}
        translated = {}
        for language, wanted in translated_scopes(list(pdfs), config).items():
            failures = {}
            translated[language] = render_reports(
                dataset,
                in_language(config, language),
                period,
                wanted,
                pdf_folder(staging, language),
                inputs=inputs,
                progress=_progress_in(language, progress),
                failures=failures,
                memo=memo,
                check=check_pdf,
                verdicts=verdicts,
            )
            failed |= {f"{scope.label}|{language}": why for scope, why in failures.items()}
        timings["pdfs"] = round(time.perf_counter() - start, 3)
        checkpoint("rendered")
        files = _output_files(staging, workbook_name, pdfs, translated)
        if before_publish:
            before_publish(staging, files)
        _swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    # keyed as OutputFile.path is: relative to the (staging, now published) folder
    checked = {str(path.relative_to(staging)): verdict for path, verdict in verdicts.items()}
    pdfs = {scope: pdf_folder(out_dir) / path.name for scope, path in pdfs.items()}
    return RenderedOutputs(
        out_dir, out_dir / workbook_name, pdfs, files, timings, failed, verdicts=checked
    )


def _unless_failed(beside: Future[None], then: Callable[[Scope], None], scope: Scope) -> None:
    """`then(scope)`, unless the work `beside` the reports failed: its error ends the
    rendering at once rather than after the last report."""
    if beside.done() and (error := beside.exception()) is not None:
        raise error
    then(scope)


def _timed(
    timings: dict[str, float], name: str, work: Callable[..., object], *args: object
) -> None:
    start = time.perf_counter()
    work(*args)
    timings[name] = round(time.perf_counter() - start, 3)


def _progress_in(language: str, progress: Progress) -> Callable[[Scope], None]:
    return lambda scope: progress("pdf", f"{scope.label} ({language})")


def _output_files(
    folder: Path,
    workbook_name: str,
    pdfs: dict[Scope, Path],
    translated: dict[str, dict[Scope, Path]],
) -> list[OutputFile]:
    files = [OutputFile.of(folder / workbook_name, folder, "xlsx", "all")]
    files += [OutputFile.of(path, folder, "pdf", scope.label) for scope, path in pdfs.items()]
    return files + [
        OutputFile.of(path, folder, "pdf", scope.label, language)
        for language, rendered in translated.items()
        for scope, path in rendered.items()
    ]


def _remove_leftovers(out_dir: Path) -> None:
    """Staging folders of a run that crashed (the job lock says none is running now)."""
    if out_dir.parent.is_dir():
        for kind in ("staging", "previous"):
            for leftover in out_dir.parent.glob(f".{out_dir.name}.{kind}-*"):
                shutil.rmtree(leftover, ignore_errors=True)


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Rename the finished staging folder to `out_dir`, moving the old one aside first."""
    retired = out_dir.with_name(f".{out_dir.name}.previous-{os.getpid()}")
    if out_dir.exists():
        os.replace(out_dir, retired)
    os.replace(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)
