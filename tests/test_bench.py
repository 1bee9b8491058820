"""`make bench` pieces: the naive baseline agrees with the fast path; the output cache."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from roi_reports import compute_metrics, load_dataset
from roi_reports.bench import naive
from roi_reports.bench.child import TreeUsage
from roi_reports.bench.generate import ensure_inputs
from roi_reports.bench.smtp_sink import SinkHandler, smtp_sink
from roi_reports.config import Config, load_config
from roi_reports.jobs.output_cache import output_cache_key
from roi_reports.pipeline import UNASSIGNED
from roi_reports.resources import code_digest, package_digest
from tests.helpers import run_cli
from tests.test_run import PERIOD, SAMPLE, make_workdir, manifest, run_job

REPO = Path(__file__).resolve().parent.parent
NO_CACHE = shutil.ignore_patterns("__pycache__")
COMPARED = ("contacts", "conversions", "revenue", "cost", "net_profit", "roi_pct", "roas")
COMPARED += ("conversion_rate_pct", "cost_per_contact", "cpa", "avg_ticket")


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return a is None and (b is None or math.isnan(b))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def test_naive_baseline_and_fast_path_give_identical_metrics(tmp_path):
    inputs = ensure_inputs(tmp_path, rows=1200, cost_rows=300)
    read = [naive.read_naive(path) for path in inputs.files]
    found = naive.naive_metrics(naive.sum_groups([r for r, _ in read], [c for _, c in read]))
    config = Config()
    dataset = load_dataset(inputs.files, config)
    assert any(key is None for key in found["employee"])  # shared costs are covered
    for dimension, groups in found.items():
        fast = compute_metrics(dataset, config, by=(dimension,))
        fast[dimension] = fast[dimension].astype(object).where(fast[dimension].notna(), None)
        assert len(fast) == len(groups) > 1, dimension
        for record in fast.to_dict("records"):
            expected = groups[record[dimension]]
            for name in COMPARED:
                assert _close(expected[name], record[name]), (dimension, record, name)
    assert UNASSIGNED not in found["employee"]


def test_generated_inputs_are_reused_not_rewritten(tmp_path):
    first = ensure_inputs(tmp_path, rows=400, cost_rows=40)
    stamps = [path.stat().st_mtime_ns for path in first.files]
    again = ensure_inputs(tmp_path, rows=400, cost_rows=40)
    assert [path.stat().st_mtime_ns for path in again.files] == stamps
    assert len(first.files) == 4 and "[[stakeholders]]" in first.config.read_text()


def test_cache_key_changes_with_inputs_config_period_and_templates(tmp_path):
    config = Config()
    inputs = [("a.xlsx", "1" * 64)]
    key = output_cache_key(inputs, config, PERIOD)
    assert output_cache_key(list(inputs), Config(), PERIOD) == key
    assert output_cache_key([("a.xlsx", "2" * 64)], config, PERIOD) != key
    assert output_cache_key(inputs, config, "2026-09") != key
    (tmp_path / "roi-reports.toml").write_text('[report]\ncurrency = "USD"\n')
    assert output_cache_key(inputs, load_config(tmp_path / "roi-reports.toml"), PERIOD) != key
    (tmp_path / "custom").mkdir()
    (tmp_path / "roi-reports.toml").write_text('[report]\ntemplate_dir = "custom"\n')
    custom = load_config(tmp_path / "roi-reports.toml")
    before = output_cache_key(inputs, custom, PERIOD)
    (tmp_path / "custom" / "report.css").write_text("body { color: red }")
    assert output_cache_key(inputs, custom, PERIOD) != before


def _package_copy(root: Path) -> Path:
    """The package and its templates copied under `root`, to run as another install."""
    shutil.copytree(REPO / "roi_reports", root / "roi_reports", ignore=NO_CACHE)
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def test_the_code_digest_counts_code_and_translations_not_caches_or_samples(tmp_path):
    assert code_digest() == package_digest(REPO / "roi_reports")
    package = _package_copy(tmp_path) / "roi_reports"
    first = package_digest(package)
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "metrics.cpython-311.pyc").write_bytes(b"compiled")
    (package / "sample_data").mkdir()
    (package / "sample_data" / "sales.json").write_text("{}")
    assert package_digest(package) == first
    (package / "metrics.py").write_text("# changed\n", encoding="utf-8")
    assert package_digest(package) != first
    catalog = next(package.glob("locale/fi/LC_MESSAGES/*.mo"))
    before = package_digest(package)
    catalog.write_bytes(catalog.read_bytes() + b"\0")
    assert package_digest(package) != before


@pytest.mark.pdf
def test_rerun_reuses_outputs_until_an_input_changes(tmp_path):
    workdir = make_workdir(tmp_path)
    assert run_job(workdir).returncode == 0
    first = manifest(workdir)
    assert first["outputs_reused"] is False and "pdfs" in first["timings_s"]
    pdf = workdir.out / PERIOD / "pdf" / "executive-summary.pdf"
    stamp = pdf.stat().st_mtime_ns
    assert run_job(workdir).returncode == 0
    second = manifest(workdir)
    assert second["outputs_reused"] is True and second["cache_key"] == first["cache_key"]
    assert second["outputs"] == first["outputs"] and pdf.stat().st_mtime_ns == stamp

    # an install upgraded to other code under the same version number renders afresh (it
    # must not replay the figures the old code worked out)
    upgraded = _package_copy(tmp_path / "upgraded")
    metrics = upgraded / "roi_reports" / "metrics.py"
    metrics.write_text(metrics.read_text(encoding="utf-8") + "\n# a later release\n")
    # PYTHONSAFEPATH: `python -m` would put the working folder first on sys.path
    env = {"PYTHONPATH": str(upgraded), "PYTHONSAFEPATH": "1"}
    upgraded_run = run_job(workdir, env=env)
    assert upgraded_run.returncode == 0, upgraded_run.stderr
    after_upgrade = manifest(workdir)
    assert after_upgrade["outputs_reused"] is False
    assert after_upgrade["version"] == first["version"]
    assert after_upgrade["code_sha256"] == package_digest(upgraded / "roi_reports")
    assert first["code_sha256"] == code_digest() != after_upgrade["code_sha256"]
    assert after_upgrade["cache_key"] != first["cache_key"]
    assert run_job(workdir).returncode == 0  # and back: the key is the first run's again
    assert manifest(workdir)["cache_key"] == first["cache_key"]

    # a hand-edited output is not trusted
    pdf.write_bytes(b"not a pdf")
    assert run_job(workdir).returncode == 0
    assert manifest(workdir)["outputs_reused"] is False

    # a new version of the input (same name, other content) renders afresh
    from openpyxl import load_workbook

    changed = workdir.inbox / SAMPLE.name
    shutil.copyfile(SAMPLE, changed)
    book = load_workbook(changed)
    sheet = book[book.sheetnames[0]]
    sheet.cell(row=sheet.max_row, column=7).value = 123456.0
    book.save(changed)
    assert run_job(workdir).returncode == 0
    third = manifest(workdir)
    assert third["outputs_reused"] is False and third["cache_key"] != first["cache_key"]
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.pdf
def test_pdf_stages_are_timed_and_the_profile_adds_them_up():
    from roi_reports.bench.__main__ import pdf_profile
    from roi_reports.periods import parse_period
    from roi_reports.reports.model import build_report_model
    from roi_reports.reports.pdf import pdf_bytes

    config = Config()
    model = build_report_model(load_dataset([SAMPLE], config), config, parse_period(PERIOD))
    stages: dict[str, float] = {}
    untimed = pdf_bytes(model, config)
    assert pdf_bytes(model, config, stages) == untimed  # timing changes nothing
    assert list(stages) == ["page and charts", "glyph check and HTML", "layout", "drawing and PDF"]
    assert all(seconds >= 0 for seconds in stages.values()) and sum(stages.values()) > 0

    profile = {"summary layout": 0.4, "summary drawing and PDF": 0.1}
    profile |= {"scope layout": 0.15, "scope drawing and PDF": 0.05}
    text = pdf_profile(profile, 1.25, 10)
    assert "layout                             0.400     0.150" in text
    assert "total                              0.500     0.200" in text
    assert "naive baseline: 1.250 CPU s per report" in text


def test_the_naive_baseline_renders_its_own_pdfs_without_the_product_renderer(tmp_path):
    """Frozen and self-contained: renderer gains must not speed up the yardstick too."""
    import ast
    from pathlib import Path

    from roi_reports.bench import naive_pdf

    source = Path(naive_pdf.__file__).read_text(encoding="utf-8")
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.startswith("roi_reports")]
    inputs = ensure_inputs(tmp_path, rows=400, cost_rows=40)
    read = [naive.read_naive(path) for path in inputs.files]
    config = tmp_path / "one-stakeholder.toml"
    config.write_text('[[stakeholders]]\nscope = "employee:Employee 001"\n', encoding="utf-8")
    count = naive_pdf.render_naive_pdfs(
        [r for r, _ in read], [c for _, c in read], config, "2025-12", tmp_path / "pdf"
    )
    made = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert count == len(made) == 9  # the summary, 7 channels and the stakeholder, as the job
    text = "".join(page.extract_text() for page in PdfReader(made[-1]).pages)
    assert "Employee: Employee 001" in text and "By campaign" in text


def test_bench_burst_server_refuses_and_the_delivery_sends_each_once(tmp_path):
    """make bench-burst's server: 421 to every 3rd message, here 4 messages a minute."""
    from tests.email_setup import make_config, make_reports, people
    from tests.email_setup import run as deliver_run

    handler = SinkHandler(per_minute=4, refuse_every=3)
    with smtp_sink(handler) as port:
        config = make_config(
            port, stakeholders=people(6), throttle_pause_s=0.01, max_throttle_wait_min=0.01
        )
        results = deliver_run(config, make_reports(tmp_path), tmp_path)
    # the 3rd is refused once and resent; after 4 the minute is full: the rest wait
    assert [r.status for r in results] == ["sent"] * 4 + ["deferred"] * 2
    assert [r.attempts for r in results[:4]] == [1, 1, 2, 1]
    assert handler.refused == 1 and handler.over_limit >= 1
    assert sorted(handler.recipients) == [p["email"] for p in people(4)]


def test_bench_burst_inputs_give_every_employee_their_own_report(tmp_path):
    from roi_reports.bench.burst_data import EMPLOYEES_HEADER, employee, write_inputs

    inputs = write_inputs(tmp_path, 12)
    employees = inputs.files[2].read_text(encoding="utf-8").splitlines()
    assert employees[0] == ",".join(EMPLOYEES_HEADER)
    assert employees[12].startswith(f"{employee(11)[0]},{employee(11)[1]},Team 12,")
    plan = run_cli("validate", *(str(p) for p in inputs.files))
    assert plan.exit_code == 0, plan.output


def test_the_bench_counts_the_memory_of_worker_processes_too():
    hold = "b = bytearray(300 * 1024 * 1024); import time; time.sleep(1.5)"
    with TreeUsage() as memory:
        subprocess.run([sys.executable, "-c", hold], check=True)
    assert memory.peak_mib > 300  # the child's 300 MiB, beside this process's own


def test_the_bench_counts_the_cpu_time_of_worker_processes_too():
    spin = "import time; end = time.process_time() + 1.0\nwhile time.process_time() < end: pass"
    before = time.thread_time()
    with TreeUsage() as memory:
        for _ in range(2):
            subprocess.run([sys.executable, "-c", spin + "\ntime.sleep(0.5)"], check=True)
    # two children's second each (sampled while they sleep) and their interpreters'
    # start, beside this thread's own (the sampler's thread is left out of both)
    children = memory.cpu_s - (time.thread_time() - before)
    assert 1.9 <= children < 4.0


@pytest.mark.pdf
def test_the_bench_reads_the_phases_of_a_replayed_rerun_too(tmp_path):
    """The warm run replays (jobs/replay.py): no load, metrics or PDF phase to read."""
    from roi_reports.bench.child import run_job as bench_job

    workdir = make_workdir(tmp_path)
    cold = bench_job(workdir.root, PERIOD)
    warm = bench_job(workdir.root, PERIOD)
    assert cold["metrics"] > 0 and cold["pdfs"] > 0
    assert warm["metrics"] == 0 and warm["pdfs"] == 0 and manifest(workdir)["outputs_reused"]
