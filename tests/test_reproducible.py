"""Reproducible files: the same inputs, config and templates give byte-identical outputs.

The reports print the last day of their data, not the run time, so two runs on different
days, in different working folders, give the same workbook and PDFs byte for byte; the
manifest records the run time, the tool version and a hash of the templates used.
Whatever a library stamps with the time is the period's last day as well: fontTools does,
when WeasyPrint subsets fonts with it for lack of HarfBuzz-subset, and the tests below
take that path in child processes started with `without_harfbuzz_subset/` on PYTHONPATH.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from openpyxl import load_workbook
from pypdf import PdfReader

from roi_reports import __version__
from roi_reports.config import Config, load_config
from roi_reports.ingest.dataset import load_dataset
from roi_reports.jobs.monthly import run_monthly
from roi_reports.jobs.output_cache import templates_sha256
from roi_reports.jobs.workdir import WorkDir
from roi_reports.periods import parse_period
from roi_reports.reports.model import build_report_model
from roi_reports.reports.pdf import pdf_bytes
from roi_reports.reports.source_date import documents_dated
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
# on PYTHONPATH, makes WeasyPrint subset fonts with fontTools, as without libharfbuzz-subset0
WITHOUT_HARFBUZZ_SUBSET = Path(__file__).resolve().parent / "without_harfbuzz_subset"
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"
PERIOD = "2026-10"

pytestmark = pytest.mark.pdf

# her report is made for her scope, in Persian (right to left, shaped chart labels)
STAKEHOLDER = """
[[stakeholders]]
name = "Sara Ahmadi"
email = "sara.ahmadi@example.com"
scope = "channel:LinkedIn"
language = "fa"
"""


def monthly_run(root: Path, now: datetime, template_dir: Path | None = None) -> Path:
    """A fresh working folder with the sample, run for PERIOD at `now`; its out/<period>/."""
    assert run_cli("init", str(root)).exit_code == 0
    workdir = WorkDir(root)
    text = workdir.config.read_text(encoding="utf-8")
    text = text.replace("[output]\n", '[output]\npdf_scopes = ["all"]\n') + STAKEHOLDER
    if template_dir:
        text = text.replace("[report]\n", f"[report]\ntemplate_dir = '{template_dir}'\n")
    workdir.config.write_text(text, encoding="utf-8")
    shutil.copy(SAMPLE, workdir.inbox / SAMPLE.name)
    result = run_monthly(workdir, load_config(workdir.config), PERIOD, now, send=False)
    assert result.exit_code == 0, result
    return workdir.out / PERIOD


def output_bytes(out: Path) -> dict[str, bytes]:
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix in (".xlsx", ".pdf")]
    return {str(p.relative_to(out)): p.read_bytes() for p in files}


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_two_runs_on_different_days_give_identical_bytes(tmp_path):
    first = monthly_run(tmp_path / "a", datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    second = monthly_run(tmp_path / "b", datetime(2026, 11, 9, 17, 45, tzinfo=UTC))
    files = output_bytes(first)
    assert {Path(name).suffix for name in files} == {".xlsx", ".pdf"}
    assert len([n for n in files if n.endswith(".pdf")]) == 3  # all + LinkedIn, LinkedIn in fa
    assert files == output_bytes(second)
    # the run time is recorded, in the manifest only
    assert manifest(first)["generated_at"].startswith("2026-11-02T06:00")
    assert manifest(second)["generated_at"].startswith("2026-11-09T17:45")


def test_manifest_records_the_tool_version_and_the_templates(tmp_path):
    out = monthly_run(tmp_path / "a", datetime(2026, 11, 2, tzinfo=UTC))
    shipped = manifest(out)
    assert shipped["version"] == __version__
    assert len(shipped["templates_sha256"]) == 64

    custom = tmp_path / "my-templates"
    custom.mkdir()
    (custom / "report.css").write_text(
        (REPO / "templates" / "report.css").read_text(encoding="utf-8") + "\nh1 { color: #123; }\n",
        encoding="utf-8",
    )
    changed = manifest(monthly_run(tmp_path / "b", datetime(2026, 11, 2, tzinfo=UTC), custom))
    config = load_config(tmp_path / "b" / "roi-reports.toml")
    assert changed["templates_sha256"] == templates_sha256(config)
    assert changed["templates_sha256"] != shipped["templates_sha256"]


# --- across processes and font subsetters ----------------------------------------------

FONT_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)  # OpenType `head` dates count seconds from it


def font_seconds(day: date) -> int:
    return int((datetime(day.year, day.month, day.day, tzinfo=UTC) - FONT_EPOCH).total_seconds())


def cli_in_child(*args: str, cwd: Path, fonttools: bool) -> None:
    """`roi-reports ARGS` in a new Python process (no SOURCE_DATE_EPOCH of the caller's)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if fonttools:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(WITHOUT_HARFBUZZ_SUBSET), *filter(None, [env.get("PYTHONPATH")])]
        )
    done = subprocess.run(
        [sys.executable, "-m", "roi_reports.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def sha256_by_name(folder: Path) -> dict[str, str]:
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix in (".xlsx", ".pdf")]
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def embedded_font_dates(pdf: Path | bytes) -> dict[str, int]:
    """Each embedded font's name → its `head` table's `modified` (seconds since 1904)."""
    dates = {}
    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    for page in PdfReader(source).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            data = descriptor["/FontFile2"].get_object().get_data()
            dates[str(descriptor["/FontName"])] = TTFont(io.BytesIO(data))["head"].modified
    return dates


def test_the_fonttools_path_is_taken_in_children_started_with_the_hook(tmp_path):
    probe = "from weasyprint.pdf import fonts; print(fonts.harfbuzz_subset is None)"
    env = {**os.environ, "PYTHONPATH": str(WITHOUT_HARFBUZZ_SUBSET)}
    run = [sys.executable, "-c", probe]
    hidden = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    assert hidden.stdout.strip() == "True"
    # without the hook this machine has HarfBuzz-subset (`.ci/sysdeps` installs it)
    plain = subprocess.run(run, capture_output=True, text=True, check=True)
    assert plain.stdout.strip() == "False"


@pytest.mark.parametrize("fonttools", [True, False], ids=["fonttools", "harfbuzz"])
def test_pdf_command_twice_in_separate_processes_gives_the_same_bytes(tmp_path, fonttools):
    """Two `roi-reports pdf` processes seconds apart: same bytes whichever subsets the fonts;
    the fonts, the PDF metadata and the file identifier carry the period's last day."""
    args = ("pdf", "--period", "2026", "--scope", "all")
    cli_in_child(*args, "-o", "first", str(SAMPLE), cwd=tmp_path, fonttools=fonttools)
    time.sleep(2)  # font subsetters stamp whole seconds
    cli_in_child(*args, "-o", "second", str(SAMPLE), cwd=tmp_path, fonttools=fonttools)
    first = sha256_by_name(tmp_path / "first")
    assert list(first) == ["executive-summary.pdf"]
    assert first == sha256_by_name(tmp_path / "second")

    pdf = tmp_path / "first" / "executive-summary.pdf"
    reader = PdfReader(pdf)
    assert reader.metadata["/CreationDate"] == reader.metadata["/ModDate"] == "D:20261231"
    assert "/ID" not in reader.trailer  # no identifier that could differ between runs
    if fonttools:  # fontTools writes the subset's `modified`; HarfBuzz keeps the font's own
        dates = embedded_font_dates(pdf)
        assert set(dates.values()) == {font_seconds(date(2026, 12, 31))}, dates


def test_run_twice_in_fresh_folders_and_separate_processes_gives_the_same_bytes(tmp_path):
    """`roi-reports run` in two fresh folders, seconds apart, fonts subset by fontTools:
    every workbook and PDF (English and Persian) is the same, dated 2026-10-31."""
    outs = []
    for name in ("first", "second"):
        root = tmp_path / name
        cli_in_child("init", str(root), cwd=tmp_path, fonttools=True)
        config = root / "roi-reports.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace("[output]\n", '[output]\npdf_scopes = ["all"]\n') + STAKEHOLDER,
            encoding="utf-8",
        )
        run = ("run", "--dir", str(root), "--period", PERIOD, "--no-send")
        cli_in_child(*run, cwd=tmp_path, fonttools=True)
        outs.append(root / "out" / PERIOD)
        time.sleep(2)
    first = sha256_by_name(outs[0])
    assert len([n for n in first if n.endswith(".pdf")]) == 3  # all + LinkedIn, LinkedIn in fa
    assert len([n for n in first if n.endswith(".xlsx")]) == 1
    assert first == sha256_by_name(outs[1])

    for pdf in outs[0].rglob("*.pdf"):
        assert PdfReader(pdf).metadata["/CreationDate"] == "D:20261031"
        assert set(embedded_font_dates(pdf).values()) == {font_seconds(date(2026, 10, 31))}
    workbook = next(outs[0].glob("*.xlsx"))
    properties = load_workbook(workbook).properties
    assert properties.created == properties.modified == datetime(2026, 10, 31)


def test_a_report_rendered_twice_in_this_process_with_fonttools_is_the_same(monkeypatch):
    """As `make bench` renders in its own process: WeasyPrint reads `harfbuzz_subset` when
    it subsets, so None here takes the fontTools path, as on a machine without it."""
    from weasyprint.pdf import fonts

    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    config = Config()
    model = build_report_model(load_dataset([SAMPLE], config), config, parse_period(PERIOD))
    first = pdf_bytes(model, config)
    time.sleep(1.5)  # fontTools stamps whole seconds
    assert pdf_bytes(model, config) == first
    assert set(embedded_font_dates(first).values()) == {font_seconds(date(2026, 10, 31))}
    assert "SOURCE_DATE_EPOCH" not in os.environ  # set for the rendering only


def test_documents_dated_sets_the_day_for_the_block_and_restores_the_callers(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    with documents_dated(date(2026, 10, 31)):
        assert os.environ["SOURCE_DATE_EPOCH"] == "1793404800"  # 2026-10-31T00:00:00Z
    assert os.environ["SOURCE_DATE_EPOCH"] == "86400"
