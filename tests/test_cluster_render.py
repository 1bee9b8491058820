"""PDFs rendered on a Dask cluster: the local bytes exactly, and a clear line when a worker
cannot render like the job."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from roi_reports.config import Config, EngineConfig
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports.pdf import default_scopes, render_reports
from roi_reports.reports.pdf_cluster import WorkerSetupError

pytestmark = [pytest.mark.pdf, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"


def _on(config: Config, scheduler: str) -> Config:
    return dataclasses.replace(config, engine=EngineConfig(kind="dask", scheduler=scheduler))


def test_two_workers_render_the_same_bytes_as_the_local_pool(tmp_path):
    from distributed import Client, LocalCluster, get_task_stream

    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    scopes = default_scopes(dataset, config, period)
    assert len(scopes) >= 6
    local = render_reports(dataset, config, period, scopes, tmp_path / "local")
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        with get_task_stream(client) as stream:  # what ran where, collected when it closes
            remote = render_reports(
                dataset, _on(config, cluster.scheduler_address), period, scopes, tmp_path / "r"
            )
        workers = {task["worker"] for task in stream.data}
    assert set(remote) == set(local) == set(scopes)
    for scope in scopes:
        assert remote[scope].name == local[scope].name
        assert remote[scope].read_bytes() == local[scope].read_bytes(), scope
    assert len(workers) == 2  # the reports were spread over both workers


def _worker(site: Path, scheduler: str) -> subprocess.Popen[bytes]:
    """A real `dask worker` running the roi-reports installed in `site` (the repository's,
    without its templates, when `site` has none)."""
    if not (site / "roi_reports").exists():
        shutil.copytree(REPO / "roi_reports", site / "roi_reports")
    # PYTHONSAFEPATH: the worker's working folder (the repository's, say) is not searched
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    command = [str(Path(sys.executable).parent / "dask"), "worker", scheduler, "--nworkers", "1"]
    command += ["--nthreads", "1", "--no-dashboard"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _refused_by_a_worker_of(site: Path, out: Path, reports: int) -> str:
    """The error of rendering `reports` reports on a cluster whose one worker runs the
    roi-reports installed in `site`."""
    from distributed import Client, LocalCluster

    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    with LocalCluster(n_workers=0, dashboard_address=None) as cluster, Client(cluster) as client:
        worker = _worker(site, cluster.scheduler_address)
        try:
            client.wait_for_workers(1, timeout=120)
            located = client.run(lambda: __import__("roi_reports").__file__)
            assert all(str(site) in path for path in located.values())
            with pytest.raises(WorkerSetupError) as raised:
                render_reports(
                    dataset,
                    _on(config, cluster.scheduler_address),
                    period,
                    default_scopes(dataset, config, period)[:reports],
                    out,
                    failures={},  # a worker's set-up is no single report's failure
                )
        finally:
            worker.terminate()
            worker.wait(timeout=60)
    return str(raised.value)


def test_a_worker_without_the_templates_fails_the_run_with_one_clear_line(tmp_path):
    message = _refused_by_a_worker_of(tmp_path / "site", tmp_path / "out", 2)
    assert "\n" not in message
    assert message.startswith("Dask worker tcp://") and "templates not found" in message
    assert "report.html" in message and "README" in message
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.parametrize("older", [False, True], ids=["other-code", "code-without-the-check"])
def test_a_worker_on_other_code_fails_the_run_with_one_clear_line(tmp_path, older):
    """Same version number, other code (an upgrade on one machine only): its PDFs would not
    be the job's, so it renders none. A worker that checks its code refuses; one whose
    older code has no such check (it returns bare PDF bytes) is refused by the job."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "roi_reports", site / "roi_reports")
    shutil.copytree(REPO / "templates", site / "roi_reports" / "templates")
    charts = site / "roi_reports" / "reports" / "charts.py"
    charts.write_text(charts.read_text(encoding="utf-8") + "\n# a later release\n")
    if older:
        cluster_code = site / "roi_reports" / "reports" / "pdf_cluster.py"
        text = cluster_code.read_text(encoding="utf-8")
        for new, old in (
            ("if code_digest() != setup.code_sha256:", "if False:"),
            ("return code_digest(), render_page(", "return render_page("),
        ):
            assert new in text
            text = text.replace(new, old)
        cluster_code.write_text(text, encoding="utf-8")
    message = _refused_by_a_worker_of(site, tmp_path / "out", 1)
    assert message.startswith("Dask worker tcp://") and "\n" not in message
    assert "roi-reports is not the job's" in message


def _in_process_cluster(monkeypatch, render):  # type: ignore[no-untyped-def]
    """A worker in a thread of this process, so it renders with `render` (one thread: the
    renderer is not shared between threads)."""
    from distributed import LocalCluster

    from roi_reports.reports import pdf_cluster

    monkeypatch.setattr(pdf_cluster, "render_page", render)
    return LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)


def test_a_report_that_kills_its_workers_fails_alone(tmp_path, monkeypatch):
    from distributed import Client, KilledWorker

    from roi_reports.reports import pdf_cluster

    config = Config()
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    scopes = default_scopes(dataset, config, period)[:3]
    render_page, deadly = pdf_cluster.render_page, scopes[1]

    def render(page, dirs, scope):  # type: ignore[no-untyped-def]
        if scope == deadly.label:  # what the scheduler says once it gave up on the task
            raise KilledWorker(scope, SimpleNamespace(address="tcp://10.0.0.9:4000"), 3)
        return render_page(page, dirs, scope)

    failures: dict = {}
    with _in_process_cluster(monkeypatch, render) as cluster, Client(cluster):
        on = _on(config, cluster.scheduler_address)
        made = render_reports(dataset, on, period, scopes, tmp_path, failures=failures)
    assert set(made) == {scopes[0], scopes[2]} and list(failures) == [deadly]
    assert failures[deadly] == (
        f"report {deadly.label} stopped every Dask worker that rendered it (the last: "
        "tcp://10.0.0.9:4000); give the workers more memory (dask worker --memory-limit) or "
        "shorten the report"
    )


def test_a_report_stuck_on_a_worker_fails_alone_after_the_time_limit(tmp_path, monkeypatch):
    """A worker's thread cannot be stopped: the job stops waiting for it once no report
    has come back for pdf_timeout_s, fails that report alone, and keeps the others."""
    from distributed import Client

    from roi_reports.reports import pdf_cluster

    config = Config()
    limited = dataclasses.replace(
        config, output=dataclasses.replace(config.output, pdf_timeout_s=10)
    )
    dataset = load_dataset([SAMPLE], config)
    period = resolve_period("2026-10", config.report)
    scopes = default_scopes(dataset, config, period)[:4]
    stuck, release = scopes[-1], threading.Event()  # sent last: nothing waits behind it
    render_page = pdf_cluster.render_page

    def render(page, dirs, scope):  # type: ignore[no-untyped-def]
        if scope == stuck.label:
            release.wait(120)  # as a layout that never ends
        return render_page(page, dirs, scope)

    failures: dict = {}
    with _in_process_cluster(monkeypatch, render) as cluster, Client(cluster):
        try:
            made = render_reports(
                dataset,
                _on(limited, cluster.scheduler_address),
                period,
                scopes,
                tmp_path,
                failures=failures,
            )
        finally:
            release.set()
    assert set(made) == set(scopes[:-1]) and all(p.is_file() for p in made.values())
    assert list(failures) == [stuck]
    assert failures[stuck].startswith(f"report {stuck.label} did not come back from the cluster")
    assert "pdf_timeout_s = 10 s" in failures[stuck]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in made.values())
