"""Glyph coverage: a character no report font has stops that report, named, not a box."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from roi_reports.fonts import covered, stylesheet_families
from roi_reports.reports.glyphs import uncovered
from roi_reports.resources import template_root
from tests.helpers import RESULTS_HEADER, run_cli, write_csv
from tests.smtp_server import RecordingHandler, smtp_server
from tests.test_run import PERIOD, make_workdir, manifest, stakeholder_config

HIEROGLYPH = "\U00013000"


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]


def test_the_stylesheet_names_its_fonts():
    families = stylesheet_families([template_root() / "report.css"])
    assert families[:2] == ("Noto Sans", "DejaVu Sans") and "Noto Sans Arabic" in families
    assert "sans-serif" not in families


def test_uncovered_characters_are_named_with_where_they_are():
    points = covered(stylesheet_families([template_root() / "report.css"]))
    page = (
        Row(("Aino Virtanen", "نگار محمدی", "1 050,00 €", "۱۱۰٫۰٪")),
        Row(("Mia " + HIEROGLYPH,)),
    )
    (problem,) = uncovered(page, points)
    assert "U+13000" in problem and "page[1].cells[0]" in problem and "Mia" in problem
    # joiners and direction marks are never drawn, so never missing
    assert uncovered((Row(("هزینه\u200cها \u200f",)),), points) == []


@pytest.mark.pdf
def test_a_name_no_font_can_print_stops_only_the_reports_that_print_it(tmp_path):
    workdir = make_workdir(tmp_path)
    rows = [["2026-10-12", "Webinars", "Autumn", "Mia " + HIEROGLYPH, 10, 2, 500, "", ""]]
    write_csv(workdir.inbox / "webinars.csv", [RESULTS_HEADER, *rows])
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        stakeholder_config(workdir, server.port)
        result = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
    assert result.exit_code == 3, result.output
    # the executive summary lists every employee, so it is withheld; the others go out
    assert sorted(r.rcpt_tos[0] for r in handler.messages) == [
        "aino.virtanen@example.com",
        "sara.ahmadi@example.com",
    ]
    content = manifest(workdir)
    assert "U+13000" in content["withheld"]["all"]
    failed = [d for d in content["deliveries"] if d["status"] == "failed"]
    assert [d["email"] for d in failed] == ["leena.laine@example.com"]
    assert "U+13000" in failed[0]["error"]
    # a failed report is not reused by the output cache: the next run tries it again
    again = run_cli("run", "--dir", str(workdir.root), "--period", PERIOD, "--send")
    assert again.exit_code == 3 and "U+13000" in again.output
