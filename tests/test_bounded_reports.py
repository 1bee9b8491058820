"""Reports stay bounded whatever the stored rows hold, and one that still fails fails alone.

Issue 21 item 4: 40,000 copies of one row, or a 100,000-character channel name, once made
every PDF worker run out of memory and the run deliver nothing.
"""

from __future__ import annotations

import shutil

import pytest
from pypdf import PdfReader

from roi_reports.reports.pdf_display import LISTED, warning_lines
from roi_reports.resources import template_root
from roi_reports.validation import Problem
from tests.helpers import RESULTS_HEADER, write_csv
from tests.test_run import PERIOD, make_workdir, manifest, run_job

pytestmark = pytest.mark.pdf
ROW = ["2026-10-05", "LinkedIn", "Autumn push", "Aino Virtanen", 10, 1, 100, 40, "EUR"]


def _text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_forty_thousand_duplicate_rows_give_a_bounded_data_quality_section(tmp_path):
    workdir = make_workdir(tmp_path)
    write_csv(workdir.inbox / "copies.csv", [RESULTS_HEADER] + [ROW] * 40_000)
    done = run_job(workdir)
    assert done.returncode == 0, done.stderr
    warnings = manifest(workdir)["warnings"]
    assert len(warnings) == 39_999 and all("duplicate" in w for w in warnings)
    text = _text(workdir.out / PERIOD / "pdf" / "executive-summary.pdf")
    # ten lines of ten rows each, then the count of the rest, then the inputs line
    assert "and 39,899 more; see the workbook" in text
    quality = text[text.rindex("Data quality") :]
    assert quality.count("copies.csv") == 11 and quality.index("and 39,899") > quality.rindex(
        "duplicate"
    )
    assert (
        "copies.csv, sheet 'copies', rows 3, 4, 5, 6, 7, 8, 9, 10, 11, 12: duplicate"
        in " ".join(quality.split())
    )


def _problem(file: str, row: int, rule: str = "duplicate row") -> Problem:
    return Problem(file, "Results", row, None, None, rule, "delete it", "warning")


def test_a_report_lists_repeated_warnings_row_by_row_on_shared_lines():
    problems = [
        *(_problem("a.xlsx", row) for row in range(2, 14)),  # 12 duplicates: 10 + 2
        _problem("a.xlsx", 20, "totals row skipped"),
        _problem("a.xlsx", 21),  # after another finding: a line of its own
        _problem("b.xlsx", 5),  # another file: another line
    ]
    lines, left = warning_lines(problems)
    assert lines == (
        "a.xlsx, sheet 'Results', rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11: duplicate row: delete it",
        "a.xlsx, sheet 'Results', rows 12, 13: duplicate row: delete it",
        "a.xlsx, sheet 'Results', row 20: totals row skipped: delete it",
        "a.xlsx, sheet 'Results', row 21: duplicate row: delete it",
        "b.xlsx, sheet 'Results', row 5: duplicate row: delete it",
    )
    assert left == 0
    many = [_problem(f"f{i}.xlsx", 2) for i in range(15)]
    lines, left = warning_lines(many)
    assert len(lines) == LISTED and left == 15 - LISTED


def test_a_100000_character_channel_name_is_shortened_in_the_reports(tmp_path):
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    name = "Ads " + "x" * 99_996
    write_csv(workdir.inbox / "long.csv", [RESULTS_HEADER, [*ROW[:1], name, *ROW[2:]]])
    done = run_job(workdir)
    assert done.returncode == 0, done.stderr
    pdfs = sorted((workdir.out / PERIOD / "pdf").iterdir())
    channel = next(p for p in pdfs if p.name.startswith("channel-ads-"))
    assert len(channel.name) < 120
    for path in (workdir.out / PERIOD / "pdf" / "executive-summary.pdf", channel):
        text = "".join(_text(path).split())  # a long word may wrap anywhere in a cell
        assert "Ads" + "x" * 55 + "…" in text and "x" * 61 not in text
        assert len(text) < 20_000


def test_a_report_whose_worker_dies_fails_alone_and_is_named(tmp_path):
    """A worker killed mid-report (as the kernel's out-of-memory killer does) breaks its
    pool; the job tries the reports again, each alone, and withholds only that one."""
    workdir = make_workdir(tmp_path, '["all", "channel"]')
    custom = workdir.root / "templates"
    shutil.copytree(template_root(), custom)
    report = custom / "report.html"
    killer = (
        "{% if 'Trade fairs' in page.heading %}{% set os = cycler.__init__.__globals__.os %}"
        "{{ os.kill(os.getpid(), 9) }}{% endif %}"
    )
    report.write_text(
        report.read_text().replace("{% block content %}", "{% block content %}" + killer, 1)
    )
    config = workdir.config.read_text().replace(
        "[report]\n", '[report]\ntemplate_dir = "templates"\n', 1
    )
    workdir.config.write_text(config)
    done = run_job(workdir)
    assert done.returncode == 3, done.stderr
    made = {p.name for p in (workdir.out / PERIOD / "pdf").iterdir()}
    assert "channel-trade-fairs.pdf" not in made
    assert {"executive-summary.pdf", "channel-linkedin.pdf", "channel-google-ads.pdf"} <= made
    why = manifest(workdir)["withheld"]["channel:Trade fairs"]
    assert "PDF worker process died" in why
    assert (
        "WITHHELD   channel:Trade fairs: report channel:Trade fairs: its PDF worker" in done.stdout
    )
