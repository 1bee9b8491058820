"""PDF workers started ahead of the reports, warm when the first one arrives.

The workers' forkserver imports the readers and the report modules but not WeasyPrint, so
the job's read workers start a second sooner; a PDF worker loads the renderer and its
fonts as it starts, and the monthly job starts its PDF workers while it still combines
the files and computes the totals.
"""

from __future__ import annotations

import gc
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from roi_reports import load_dataset
from roi_reports.config import Config, EngineConfig, ReportConfig, load_config
from roi_reports.errors import ConfigError
from roi_reports.jobs import monthly
from roi_reports.pipeline import resolve_period
from roi_reports.reports import pdf, pdf_render
from roi_reports.reports.model import Scope, build_report_model
from roi_reports.reports.warm import RENDER_GC_THRESHOLD, warm_up
from roi_reports.workers import worker_context
from tests.helpers import RESULTS_HEADER, write_csv
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


def warmed_up_for(language: str) -> tuple[int, bool, bool]:
    """In a worker: renderers loaded, and whether the report template is compiled and
    Babel's locale data loaded for `language`."""
    import babel.localedata

    compiled = pdf_render._environment.cache_info()
    pdf_render._environment(tuple(pdf_render.template_dirs(Config())), language)
    hit = pdf_render._environment.cache_info().hits == compiled.hits + 1
    return renderers_loaded(), hit, language in babel.localedata._cache


def test_started_workers_are_running_and_warm_before_the_first_report():
    finnish = Config(report=ReportConfig(language="fi"))
    pool = pdf.start_workers(finnish, workers=2)
    try:
        # no report submitted yet: both processes exist (ProcessPoolExecutor keeps them here)
        assert len(pool._processes) == 2
        assert pool.submit(warmed_up_for, "fi").result() == (1, True, True)
        assert pool.submit(warmed_up_for, "fa").result() == (1, False, False)
    finally:
        pool.shutdown()


def collector_state() -> tuple[int, int, bool, bool]:
    """In a worker: the young generation's threshold, how many objects are frozen, whether
    WeasyPrint is loaded, and whether the warmed-up renderer is among the frozen (frozen
    objects are not listed by gc.get_objects)."""
    warmed = pdf_render.renderer(pdf_render.template_dirs(Config()))
    frozen_after_warm_up = not any(obj is warmed for obj in gc.get_objects())
    return gc.get_threshold()[0], gc.get_freeze_count(), weasyprint_imported(), frozen_after_warm_up


def test_started_workers_have_their_collector_settled_for_rendering():
    """Frozen after the warm-up and collecting less often (reports.warm.settle_collector);
    the process that starts them keeps its own settings."""
    ours = gc.get_threshold()
    pool = pdf.start_workers(Config(), workers=1)
    try:
        threshold, frozen, loaded, warm_frozen = pool.submit(collector_state).result()
    finally:
        pool.shutdown()
    assert threshold == RENDER_GC_THRESHOLD and frozen > 0
    assert loaded and warm_frozen  # frozen after the warm-up, not before it
    assert gc.get_threshold() == ours


def unfrozen_objects() -> int:
    return len(gc.get_objects())


def test_a_worker_collects_what_each_report_leaves(tmp_path):
    """A report's boxes and layouts are mostly cycles: collected as the report ends, not
    left for a full pass of the collector that a job may never reach."""
    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period(PERIOD, config.report)
    jobs = [
        (build_report_model(dataset, config, period, scope), config, tmp_path / f"{i}.pdf", None)
        for i, scope in enumerate(SCOPES)
    ]
    pool = pdf.start_workers(config, workers=1)
    try:
        before = pool.submit(unfrozen_objects).result()
        for job in jobs:
            pool.submit(pdf._render_job, job).result()
        left = pool.submit(unfrozen_objects).result() - before
    finally:
        pool.shutdown()
    assert left < 1_000, left


def test_a_failed_warm_up_is_left_for_the_first_report_to_tell(tmp_path):
    broken = Config(report=ReportConfig(template_dir=str(tmp_path / "missing")))
    warm_up(broken)  # no error here: a worker that fails to warm up still starts
    with pytest.raises(ConfigError, match="template_dir"):  # what its first report says
        pdf_render.template_dirs(broken)


def _no_new_pool(*args: object) -> None:
    raise AssertionError("a new pool was made")


def test_reports_rendered_in_started_workers_are_the_same_bytes(tmp_path, monkeypatch):
    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period(PERIOD, config.report)
    plain = pdf.render_reports(dataset, config, period, SCOPES, tmp_path / "plain")
    pool = pdf.start_workers(config, workers=2)
    monkeypatch.setattr(pdf, "_pool", _no_new_pool)  # rendered in the started one
    early = pdf.render_reports(dataset, config, period, SCOPES, tmp_path / "early", pool=pool)
    assert [p.read_bytes() for p in early.values()] == [p.read_bytes() for p in plain.values()]
    with pytest.raises(RuntimeError):  # render_reports shut the pool down when done
        pool.submit(renderers_loaded)


def test_a_started_pool_broken_before_the_first_report_is_replaced(tmp_path):
    """A worker killed while the job computes the totals (the OOM killer, say): the
    reports are rendered in a fresh pool, as when a pool breaks while rendering."""
    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period(PERIOD, config.report)
    pool = pdf.start_workers(config, workers=1)
    assert pool.submit(renderers_loaded).result() == 1
    for process in list(pool._processes.values()):
        process.kill()
    deadline = time.monotonic() + 30
    while not pool._broken and time.monotonic() < deadline:  # the pool notices
        time.sleep(0.05)
    written = pdf.render_reports(dataset, config, period, SCOPES, tmp_path, pool=pool)
    assert set(written) == set(SCOPES)
    assert all(path.read_bytes().startswith(b"%PDF") for path in written.values())


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
    start = pdf.start_workers

    def spy(config: Config, workers: int | None = None) -> ProcessPoolExecutor:
        started.append(start(config, workers))
        return started[-1]

    monkeypatch.setattr(pdf, "start_workers", spy)
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)

    def run() -> monthly.RunResult:
        result = monthly.run_monthly(workdir, load_config(workdir.config), PERIOD, now, send=False)
        assert result.exit_code == 0
        return result

    first = run()  # new files read: started once, used, shut down with the job
    assert len(started) == 1 and len(first.outputs.pdfs) > 2
    with pytest.raises(RuntimeError):
        started[0].submit(renderers_loaded)
    # nothing new in the inbox, or only a copy of a stored file, and a finished run of
    # the period: its outputs are reused and no worker is started
    run()
    shutil.copy2(workdir.archive / "2026-11" / SAMPLE.name, workdir.inbox / "copy.xlsx")
    assert run().ingest.duplicates and len(started) == 1
    # the period's outputs gone: this run renders again
    shutil.rmtree(workdir.out / PERIOD)
    assert run().outputs.pdfs and len(started) == 2
    # a new file read but quarantined: the outputs are reused and the workers started for
    # it are shut down before the delivery, not kept until the job ends
    deliver = monthly.deliver

    def deliver_after_shutdown(*args: Any, **kwargs: Any) -> Any:
        with pytest.raises(RuntimeError):
            started[-1].submit(renderers_loaded)
        return deliver(*args, **kwargs)

    monkeypatch.setattr(monthly, "deliver", deliver_after_shutdown)
    bad = ["2026-10-15", "Webinars", "Autumn", "Aino", "many", 2, 5000, "", ""]
    write_csv(workdir.inbox / "broken.csv", [RESULTS_HEADER, bad])
    result = monthly.run_monthly(workdir, load_config(workdir.config), PERIOD, now, send=False)
    assert result.ingest.quarantined and result.outputs.checked and len(started) == 3


def test_a_job_whose_reports_render_on_a_cluster_starts_no_local_workers():
    on_cluster = Config(engine=EngineConfig(kind="dask", scheduler="tcp://127.0.0.1:1"))
    with pdf.EarlyWorkers(on_cluster) as early:
        early.start()
        assert early.pool is None


def test_the_workbook_is_written_while_the_first_reports_render(tmp_path, monkeypatch):
    """The workers need not wait for the workbook: it is written beside the reports."""
    from roi_reports.jobs import outputs

    write_workbook = outputs.write_workbook
    overlapped: list[bool] = []

    def slow_workbook(model: Any, path: Any, language: str) -> None:
        deadline = time.monotonic() + 30
        while not any(path.parent.glob("pdf/*.pdf")) and time.monotonic() < deadline:
            time.sleep(0.05)  # a report is rendered meanwhile, or never: sequential
        overlapped.append(any(path.parent.glob("pdf/*.pdf")))
        write_workbook(model, path, language)

    monkeypatch.setattr(outputs, "write_workbook", slow_workbook)
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    result = monthly.run_monthly(workdir, load_config(workdir.config), PERIOD, now, send=False)
    assert result.exit_code == 0 and overlapped == [True]
    assert result.outputs.workbook.is_file() and result.withheld == {}


def test_a_workbook_that_fails_stops_the_reports_at_once(tmp_path, monkeypatch):
    from roi_reports.jobs import outputs

    def broken(*args: Any) -> None:
        raise RuntimeError("the workbook broke")

    monkeypatch.setattr(outputs, "write_workbook", broken)
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    said: list[str] = []
    with pytest.raises(RuntimeError, match="the workbook broke"):
        monthly.run_monthly(
            workdir,
            load_config(workdir.config),
            PERIOD,
            now,
            send=False,
            progress=lambda stage, detail: said.append(stage),
        )
    assert "excel" in said and "pdf" not in said  # not after every report was rendered
    assert not list(workdir.out.glob(".*staging*"))
