"""Reproducible files: the same inputs, config and templates give byte-identical outputs.

The reports print the last day of their data, not the run time, so two runs on different
days, in different working folders, give the same workbook and PDFs byte for byte; the
manifest records the run time, the tool version and a hash of the templates used.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roi_reports import __version__
from roi_reports.config import load_config
from roi_reports.jobs.monthly import run_monthly
from roi_reports.jobs.output_cache import templates_sha256
from roi_reports.jobs.workdir import WorkDir
from tests.helpers import run_cli

REPO = Path(__file__).resolve().parents[1]
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
