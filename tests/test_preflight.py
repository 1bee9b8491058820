"""Checks before files leave: a failing file stops exactly the deliveries that need it."""

from __future__ import annotations

import shutil
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roi_reports import load_dataset
from roi_reports.config import load_config, parse_config
from roi_reports.jobs import monthly
from roi_reports.jobs.checkpoints import CRASH_VARIABLE
from roi_reports.jobs.preflight import check_pdf, check_workbook
from roi_reports.jobs.workdir import WorkDir
from roi_reports.pipeline import resolve_period
from roi_reports.reports.excel import write_workbook
from roi_reports.reports.model import build_report_model
from roi_reports.reports.pdf import render_pdf
from roi_reports.resources import template_root
from tests.helpers import run_cli
from tests.smtp_server import RecordingHandler, smtp_server
from tests.test_model import SAMPLE
from tests.test_run import PERIOD, make_workdir, manifest, run_job, stakeholder_config

pytestmark = pytest.mark.pdf


@pytest.fixture(scope="module")
def october():
    config = parse_config({})
    dataset = load_dataset([SAMPLE], config)
    model = build_report_model(dataset, config, resolve_period("2026-10", config.report))
    other = build_report_model(dataset, config, resolve_period("2025-10", config.report))
    return config, model, other


def test_good_files_pass_and_broken_ones_say_why(tmp_path, october):
    config, model, other = october
    pdf = render_pdf(model, config, tmp_path / "r.pdf")
    book = write_workbook(model, tmp_path / "r.xlsx")
    assert check_pdf(pdf, model) is None and check_workbook(book, model) is None
    # the files of one period checked as another's: wrong period, wrong numbers
    assert "does not name the period 2025-10" in (check_pdf(pdf, other) or "")
    assert "does not equal the engine" in (check_workbook(book, other) or "")
    # a user's template that prints the period and nothing else
    cardless = parse_config({"report": {"template_dir": str(tmp_path / "t")}})
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "report.html").write_text("<p>{{ page.period }}</p>", encoding="utf-8")
    bare = render_pdf(model, cardless, tmp_path / "bare.pdf")
    assert "does not show the headline figure" in (check_pdf(bare, model) or "")
    # the KPI cards alone are enough, though they print their labels in capitals
    cards = '<p>{{ page.period }}</p>{% include "_kpi_cards.html" %}'
    (tmp_path / "t" / "report.html").write_text(cards, encoding="utf-8")
    for language in ("en", "fi"):
        settings = parse_config(
            {"report": {"template_dir": str(tmp_path / "t"), "language": language}}
        )
        only_cards = render_pdf(model, settings, tmp_path / f"cards-{language}.pdf")
        assert check_pdf(only_cards, model, language) is None, language
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.7\nnot really a PDF")
    assert "does not open" in (check_pdf(tmp_path / "x.pdf", model) or "")
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 not really")
    assert "does not open" in (check_workbook(tmp_path / "x.xlsx", model) or "")


def use_template_printing_nan_for_aino(workdir: WorkDir) -> Path:
    """A user's template that prints a raw NaN in Aino's report only."""
    templates = workdir.root / "templates"
    templates.mkdir()
    shipped = (template_root() / "report.html").read_text(encoding="utf-8")
    marker = '{% include "_kpi_cards.html" %}'
    broken = shipped.replace(
        marker, '{% if "Aino" in page.heading %}<p>nan</p>{% endif %}' + marker
    )
    (templates / "report.html").write_text(broken, encoding="utf-8")
    text = workdir.config.read_text(encoding="utf-8")
    workdir.config.write_text(
        text.replace('# template_dir = "my-templates"', 'template_dir = "templates"'),
        encoding="utf-8",
    )
    return templates


def test_a_failing_report_stops_only_its_delivery(tmp_path):
    workdir = make_workdir(tmp_path)
    templates = use_template_printing_nan_for_aino(workdir)
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        result = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
    assert result.exit_code == 3, result.output
    got = sorted(r.rcpt_tos[0] for r in handler.messages)
    assert got == ["leena.laine@example.com", "sara.ahmadi@example.com"]
    content = manifest(workdir)
    failed = [d for d in content["deliveries"] if d["status"] == "failed"]
    assert [d["email"] for d in failed] == ["aino.virtanen@example.com"]
    assert "failed its check" in failed[0]["error"] and "'nan'" in failed[0]["error"]
    assert sorted(content["withheld"]) == ["employee:Aino Virtanen", "employee:Aino Virtanen|fi"]
    shutil.rmtree(templates)


def test_a_rerun_after_a_crash_checks_the_outputs_it_reuses(tmp_path):
    workdir = make_workdir(tmp_path)
    use_template_printing_nan_for_aino(workdir)
    stakeholder_config(workdir)
    # killed after the outputs were published, before anything was checked or delivered
    crashed = run_job(workdir, env={CRASH_VARIABLE: "delivering"})
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    rerun = run_job(workdir)
    assert rerun.returncode == 3, rerun.stderr
    content = manifest(workdir)
    assert content["outputs_reused"] is True
    assert sorted(content["withheld"]) == ["employee:Aino Virtanen", "employee:Aino Virtanen|fi"]
    written = sorted(p.name for p in (workdir.outbox / PERIOD).iterdir())
    assert written and not [name for name in written if "aino" in name]


@pytest.mark.parametrize("language", ["fi", "fa"])
def test_reports_in_other_languages_pass(tmp_path, october, language):
    _, model, _ = october
    config = parse_config({"report": {"language": language}})
    pdf = render_pdf(model, config, tmp_path / "r.pdf")
    book = write_workbook(model, tmp_path / "r.xlsx", language)
    assert check_pdf(pdf, model, language) is None
    assert check_workbook(book, model, language) is None


def test_outputs_a_finished_run_checked_are_reused_without_checking_again(tmp_path, monkeypatch):
    workdir = make_workdir(tmp_path)
    first = run_job(workdir)
    assert first.returncode == 0, first.stderr
    checked: list[object] = []
    monkeypatch.setattr(monthly, "check_outputs", lambda *args: checked.append(args) or {})
    config = load_config(workdir.config)
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    result = monthly.run_monthly(workdir, config, PERIOD, now, send=False)
    assert result.exit_code == 0 and result.outputs.checked and checked == []
    assert manifest(workdir)["outputs_reused"] is True


@pytest.mark.parametrize("language", ["fi", "fa"])
def test_a_team_reporting_in_its_own_language_has_its_reports_checked_in_it(tmp_path, language):
    """The KPI labels are looked for in the reports' language, not in English: a Finnish
    team's job once withheld every PDF for not showing "Cost"."""
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    text = workdir.config.read_text(encoding="utf-8")
    assert '# language = "en"' in text
    workdir.config.write_text(
        text.replace('# language = "en"', f'language = "{language}"', 1), encoding="utf-8"
    )
    result = run_job(workdir)
    assert result.returncode == 0, result.stderr
    content = manifest(workdir)
    assert content["withheld"] == {}
    assert len([o for o in content["outputs"] if o["kind"] == "pdf"]) > 1


def test_each_pdf_is_checked_by_the_worker_that_wrote_it(tmp_path, monkeypatch):
    """The job checks only what its PDF workers did not: the workbook. (Their check is
    this module's own: the template printing `nan` above is caught by it.)"""
    from roi_reports.jobs import preflight

    read_here: list[str] = []
    pages_text = preflight.pdf_pages_text

    def recording(path: Path) -> list[str]:
        read_here.append(path.name)
        return pages_text(path)

    monkeypatch.setattr(preflight, "pdf_pages_text", recording)  # in this process only
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    result = monthly.run_monthly(workdir, load_config(workdir.config), PERIOD, now, send=False)
    assert result.exit_code == 0 and read_here == []
    folder = result.outputs.folder
    rendered = {str(path.relative_to(folder)) for path in result.outputs.pdfs.values()}
    assert len(rendered) > 2 and result.outputs.verdicts == dict.fromkeys(rendered)


def test_a_check_that_cannot_run_withholds_the_report_rather_than_failing_it(tmp_path, october):
    from roi_reports.reports import pdf

    _, model, _ = october

    def out_of_memory(path: Path, model: object, language: str | None) -> str | None:
        raise MemoryError("no room")

    path, verdict = pdf._render_job((model, parse_config({}), tmp_path / "r.pdf", out_of_memory))
    assert path.is_file() and (verdict or "").startswith("the check could not run (MemoryError")
