"""PDF workers started ahead of the reports, warm when the first one arrives.

The workers' forkserver imports the readers and the report modules but not WeasyPrint, so
the job's read workers start a second sooner; a PDF worker loads the renderer and its
fonts as it starts, and the monthly job starts its PDF workers while it still combines
the files and computes the totals.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roi_reports import load_dataset
from roi_reports.config import Config, EngineConfig, load_config
from roi_reports.jobs import monthly
from roi_reports.pipeline import resolve_period
from roi_reports.reports import pdf, pdf_render
from roi_reports.reports.model import Scope
from roi_reports.workers import worker_context
from tests.test_run import PERIOD, SAMPLE, make_workdir

pytestmark = pytest.mark.pdf

SCOPES = [Scope(), Scope("channel", "LinkedIn"), Scope("employee", "نگار محمدی")]


def renderers_loaded() -> int:
    """In a worker: how many renderers (stylesheet and fonts) it has loaded so far."""
    return pdf_render._renderer.cache_info().currsize


def weasyprint_imported() -> bool:
    return "weasyprint" in sys.modules


def test_a_read_worker_starts_without_the_renderer():
    with ProcessPoolExecutor(1, mp_context=worker_context()) as pool:
        assert pool.submit(weasyprint_imported).result() is False


def test_started_workers_are_running_and_warm_before_the_first_report():
    pool = pdf.start_workers(Config(), workers=2)
    try:
        # no report submitted yet: both processes exist (ProcessPoolExecutor keeps them here)
        assert len(pool._processes) == 2
        assert pool.submit(renderers_loaded).result() == 1
    finally:
        pool.shutdown()


def test_reports_rendered_in_started_workers_are_the_same_bytes(tmp_path):
    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period(PERIOD, config.report)
    plain = pdf.render_reports(dataset, config, period, SCOPES, tmp_path / "plain")
    pool = pdf.start_workers(config, workers=2)
    early = pdf.render_reports(dataset, config, period, SCOPES, tmp_path / "early", pool=pool)
    assert [p.read_bytes() for p in early.values()] == [p.read_bytes() for p in plain.values()]
    with pytest.raises(RuntimeError):  # render_reports shut the pool down when done
        pool.submit(renderers_loaded)


def test_unused_started_workers_are_shut_down(tmp_path):
    config = Config()
    pool = pdf.start_workers(config, workers=1)
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period(PERIOD, config.report)
    assert pdf.render_reports(dataset, config, period, [], tmp_path, pool=pool) == {}
    with pytest.raises(RuntimeError):
        pool.submit(renderers_loaded)


def test_the_job_starts_its_pdf_workers_early_only_when_it_will_render(tmp_path, monkeypatch):
    started: list[ProcessPoolExecutor] = []

    def spy(config: Config, workers: int | None = None) -> ProcessPoolExecutor:
        started.append(pdf.start_workers(config, workers))
        return started[-1]

    monkeypatch.setattr(monthly, "start_workers", spy)
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    first = monthly.run_monthly(workdir, load_config(workdir.config), PERIOD, now, send=False)
    assert first.exit_code == 0 and len(started) == 1
    assert len(first.outputs.pdfs) > 2
    with pytest.raises(RuntimeError):  # shut down with the job
        started[0].submit(renderers_loaded)
    # nothing new in the inbox and a finished run of the period: its outputs are reused
    again = monthly.run_monthly(workdir, load_config(workdir.config), PERIOD, now, send=False)
    assert again.exit_code == 0 and len(started) == 1


def test_a_job_whose_reports_render_on_a_cluster_starts_no_local_workers(tmp_path: Path):
    on_cluster = Config(engine=EngineConfig(kind="dask", scheduler="tcp://127.0.0.1:1"))
    with monthly.early_pdf_workers(on_cluster, monthly.IngestSummary(), tmp_path) as pool:
        assert pool is None
