"""Boxes that must follow the reading direction, read back from WeasyPrint's layout.

The definitions box: the label (dt) and formula (dd) of a pair start on the same line,
the label on the left in English and on the right in Persian (WeasyPrint lays a CSS grid
out left to right whatever the direction, so the Persian columns are placed by hand), and
a label longer than its formula keeps its row beside it. The trend chart's legend: each
colour swatch sits close to its own series name, on the side the name is read from. The
page's margins: the title and the latest entry sit where lines start, the period and the
page number where they end.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from roi_reports.config import Config, ReportConfig
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports.model import build_report_model
from roi_reports.reports.pdf_display import Definition, build_page
from roi_reports.reports.pdf_render import lay_out, render_html, renderer, template_dirs

pytestmark = pytest.mark.pdf
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "roi-sample.xlsx"
LONG_LABEL = "A label long enough to need three lines in the label column of the box"


@pytest.fixture(scope="module")
def sample():
    return load_dataset([SAMPLE], Config())


def _boxes(page: Any, config: Config) -> list[Any]:
    """Every box of the page laid out as the reports are, in document order (WeasyPrint's
    page boxes: the private `_page_box`, as its own tests read them)."""
    dirs = template_dirs(config)
    document = lay_out(render_html(page, dirs), renderer(dirs))
    return [box for laid_out in document.pages for box in laid_out._page_box.descendants()]


def _pairs(page: Any, config: Config) -> list[tuple[Any, Any]]:
    """The (dt, dd) boxes of the definitions, in order."""
    boxes = [b for b in _boxes(page, config) if getattr(b, "element_tag", None) in ("dt", "dd")]
    # an element's inner boxes (anonymous blocks, lines, text) and the parts of a box split
    # across pages carry its tag too: the walk meets the outer box first, keep that one
    firsts: dict[int, Any] = {}
    for box in boxes:
        firsts.setdefault(id(box.element), box)
    ordered = list(firsts.values())
    return list(zip(ordered[0::2], ordered[1::2], strict=True))


def _lines(box: Any) -> int:
    return sum(type(inner).__name__ == "LineBox" for inner in box.descendants())


def _page(sample, language: str):
    config = Config(report=ReportConfig(language=language))
    period = resolve_period("2026-10", config.report)
    return build_page(build_report_model(sample, config, period), config), config


@pytest.mark.parametrize(("language", "label_first"), [("en", "left"), ("fa", "right")])
def test_each_label_starts_beside_its_formula_on_the_reading_side(sample, language, label_first):
    page, config = _page(sample, language)
    pairs = _pairs(page, config)
    assert [dt.element_tag for dt, _ in pairs] == ["dt"] * len(page.definitions)
    for dt, dd in pairs:
        assert dt.position_y == pytest.approx(dd.position_y, abs=0.5)
        if label_first == "left":
            assert dt.content_box_x() + dt.width <= dd.content_box_x() + 0.5
        else:
            assert dd.content_box_x() + dd.width <= dt.content_box_x() + 0.5


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_label_taller_than_its_formula_keeps_the_next_pair_in_line(sample, language):
    page, config = _page(sample, language)
    first = Definition(LONG_LABEL, "a + b", "")
    page = dataclasses.replace(page, definitions=(first, *page.definitions[1:]))
    (dt, dd), (next_dt, next_dd) = _pairs(page, config)[:2]
    assert _lines(dt) >= 2 and _lines(dd) == 1  # the long label wraps; its formula does not
    assert next_dt.position_y == pytest.approx(next_dd.position_y, abs=0.5)
    assert next_dt.position_y >= dt.position_y + dt.margin_height() - 0.5


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_legend_swatch_sits_next_to_its_own_series_name(sample, language):
    page, config = _page(sample, language)
    legend = next(b for b in _boxes(page, config) if "legend" in _classes(b).split())
    line = legend.children[0]
    items = [(child, "swatch" in _classes(child).split()) for child in line.children]
    assert [is_swatch for _, is_swatch in items] == [True, False, True, False]  # two series
    # the second swatch: nearer the name after it (its own) than the name before it
    before = _gap(items[1][0], items[2][0], page.direction)
    own = _gap(items[2][0], items[3][0], page.direction)
    assert own < before, (own, before)


def _classes(box: Any) -> str:
    element = getattr(box, "element", None)
    return (element.get("class") or "") if element is not None and box.element_tag else ""


def _gap(first: Any, then: Any, direction: str) -> float:
    """Space between two boxes on a line, `first` read before `then`."""
    left, right = (first, then) if direction == "ltr" else (then, first)
    return right.border_box_x() - (left.border_box_x() + left.border_width())


def _corners(page: Any, config: Config) -> dict[str, str]:
    """The text of each page margin box of the first page, by its at-rule."""
    dirs = template_dirs(config)
    first = lay_out(render_html(page, dirs), renderer(dirs)).pages[0]._page_box
    return {
        box.at_keyword: "".join(getattr(inner, "text", "") for inner in box.descendants())
        for box in first.children
        if getattr(box, "at_keyword", None)
    }


@pytest.mark.parametrize(
    ("language", "start", "end"), [("en", "left", "right"), ("fa", "right", "left")]
)
def test_the_page_margins_mirror_in_a_right_to_left_report(sample, language, start, end):
    page, config = _page(sample, language)
    corners = _corners(page, config)
    assert page.heading in corners[f"@top-{start}"]
    assert corners[f"@top-{end}"] == page.period
    assert page.latest_entry in corners[f"@bottom-{start}"]
    page_word = {"en": "Page", "fa": "صفحه"}[language]
    assert corners[f"@bottom-{end}"].startswith(f"{page_word} ")
