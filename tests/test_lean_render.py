"""The lean default stylesheet (pdf_render.lean_html_class) saves CPU, never a byte.

WeasyPrint's default stylesheet gives every element footnote, note and marker
pseudo-elements; reports render without the footnote and note rules and with markers on
list items only. The PDFs must be the very same bytes as with the full stylesheet.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from weasyprint import HTML

from roi_reports.config import Config, ReportConfig
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports import pdf_render
from roi_reports.reports.model import Scope, build_report_model
from roi_reports.reports.pdf_display import build_page
from roi_reports.reports.pdf_render import lean_html_class, render_page, template_dirs

pytestmark = pytest.mark.pdf
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "roi-sample.xlsx"


def test_the_installed_weasyprint_gets_the_lean_stylesheet():
    # a WeasyPrint whose default stylesheet changed falls back to the plain class: the
    # reports stay right but lose the saving, and this says so
    assert lean_html_class() is not HTML and issubclass(lean_html_class(), HTML)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_lean_and_full_default_stylesheets_give_the_same_bytes(language, monkeypatch):
    config = Config(report=ReportConfig(language=language))
    period = resolve_period("2026-10", config.report)
    dataset = load_dataset([SAMPLE], config)
    model = build_report_model(dataset, config, period, Scope("channel", "LinkedIn"))
    # lists with markers in every section that has them
    lines = ("first line", "second line")
    page = dataclasses.replace(
        build_page(model, config), flags=lines, unknowns=lines, warnings=lines, notes=lines
    )
    dirs = template_dirs(config)

    def rendered(html_class: type) -> bytes:
        pdf_render._renderer.cache_clear()
        monkeypatch.setattr(pdf_render, "lean_html_class", lambda: html_class)
        return render_page(page, dirs, "channel LinkedIn")

    lean, full = rendered(lean_html_class()), rendered(HTML)
    pdf_render._renderer.cache_clear()
    assert lean == full
