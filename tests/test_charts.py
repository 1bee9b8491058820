"""Charts: HTML/CSS bars and SVG lines whose numbers are the tables' numbers, text as text."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from roi_reports.config import Config, ReportConfig
from roi_reports.pipeline import load_dataset, resolve_period
from roi_reports.reports import charts
from roi_reports.reports.model import Scope, build_report_model
from roi_reports.reports.pdf import render_pdf
from roi_reports.reports.pdf_display import build_page, roi_chart
from roi_reports.reports.pdf_render import render_html, template_dirs

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "roi-sample.xlsx"
NAN = math.nan
PERSIAN_NAME = "نگار محمدی"


@pytest.fixture(scope="module")
def sample():
    return load_dataset([SAMPLE], Config())


def _page(sample, scope: Scope | None = None, language: str = "en"):
    config = Config(report=ReportConfig(language=language))
    period = resolve_period("2026-10", config.report)
    return config, build_report_model(sample, config, period, scope or Scope()), period


def _value_at(chart, top: float) -> float:
    """A plot position (% from the top) as a value, read off the chart's own tick labels."""
    ticks = [(float(re.sub(r"[^\d.-]", "", t.text.replace("−", "-"))), t.top) for t in chart.ticks]
    (v1, y1), (v2, y2) = ticks[0], ticks[-1]
    return v1 + (top - y1) * (v2 - v1) / (y2 - y1)


def test_roi_bars_print_and_measure_the_numbers_of_the_channel_table(sample):
    config, model, _ = _page(sample)
    page = build_page(model, config)
    chart = next(c for c in page.charts if isinstance(c, charts.BarChart))
    table = next(t for t in page.tables if t.caption == "By channel")
    roi_column = [h.text for h in table.headers].index("ROI %")
    table_roi = {row[0].text: row[roi_column].text for row in table.rows}
    assert {bar.label: bar.value for bar in chart.bars} == {
        name: text for name, text in table_roi.items() if name != "(unassigned)"
    }
    assert table_roi["Google Ads"] == "-7.5%" and table_roi["Trade fairs"] == "399.6%"
    # each bar spans from the zero line to its value, on the scale its tick labels give
    for bar in chart.bars:
        expected = float(bar.value.rstrip("%").replace(",", ""))
        end = bar.top if bar.tone == "up" else bar.top + bar.height
        assert _value_at(chart, chart.zero) == pytest.approx(0, abs=0.5)
        assert _value_at(chart, end) == pytest.approx(expected, abs=0.05 * 500 / 100 + 0.5)
        assert (bar.top < chart.zero) == (expected > 0)


def test_trend_points_lie_at_the_monthly_revenue_and_cost(sample):
    config, model, _ = _page(sample)
    chart = next(c for c in build_page(model, config).charts if isinstance(c, charts.LineChart))
    assert chart.labels == ("2026-07", "2026-08", "2026-09", "2026-10")
    # the sums of the sample's results and costs per month, computed here from the rows
    results, costs = sample.results, sample.costs
    revenue = results.groupby(results["start"].dt.strftime("%Y-%m"))["revenue"].sum()
    cost = costs.groupby(costs["start"].dt.strftime("%Y-%m"))["amount"].sum()
    for series, expected in zip(chart.series, (revenue, cost), strict=True):
        assert len(series.dots) == 4
        # the dots as the template draws them: one path of zero-length strokes
        drawn = re.findall(r"M([\d.]+),([\d.]+)h0", series.dot_path)
        assert [(float(x), float(y)) for x, y in drawn] == list(series.dots)
        for (_, y), month in zip(series.dots, chart.labels, strict=True):
            found = _value_at(chart, y * 100 / chart.view_height)
            assert found == pytest.approx(expected[month], rel=0.002), (series.name, month)


def test_an_undefined_value_is_a_gap_not_a_zero():
    months = ["2026-07", "2026-08", "2026-09", "2026-10"]
    colours = {"Revenue": "#000000"}

    def draw(values: list[float]) -> charts.Series:
        chart = charts.line_chart(
            "t", months, {"Revenue": values}, colours, axis="EUR", tick_fmt=str
        )
        return chart.series[0]

    gap, zero = draw([100.0, NAN, 300.0, 400.0]), draw([100.0, 0.0, 300.0, 400.0])
    assert len(gap.lines) == 1 and len(gap.dots) == 3  # a lone first point: a dot, no line
    assert len(zero.lines) == 1 and len(zero.dots) == 4
    bars = charts.bar_chart("t", ["A", "B"], [NAN, 50.0], axis="%", fmt=lambda v: f"{v:g}")
    assert bars.bars[0].tone == "missing" and bars.bars[0].height == 0


@pytest.mark.parametrize("language", ["en", "fi", "fa"])
def test_an_employee_chart_without_any_roi_says_why(sample, language):
    """The sample's costs name no employee: unshared, every employee's ROI is undefined
    (investment 0) and the chart says where the cost is; shared out, the bars stand."""
    config, model, period = _page(sample, Scope("channel", "LinkedIn"), language)
    unshared = build_page(model, config).charts[0]
    assert [bar.tone for bar in unshared.bars] == ["missing", "missing"]
    investment = {"en": "investment", "fi": "investointi", "fa": "سرمایه\u200cگذاری"}[language]
    assert "shared_costs" in unshared.note and investment in unshared.note
    amount = {"en": "€1,621.36", "fi": "1 621,36 €", "fa": "€ ۱٬۶۲۱٫۳۶"}[language]
    assert amount in unshared.note.replace("\u00a0", " ").replace("\u200e", "")
    shared = Config(report=ReportConfig(language=language, shared_costs="revenue"))
    model = build_report_model(sample, shared, period, Scope("channel", "LinkedIn"))
    chart = build_page(model, shared).charts[0]
    assert "missing" not in [bar.tone for bar in chart.bars] and chart.note == ""


def test_the_undefined_roi_note_stands_also_over_many_employees(sample):
    """More employees than bars, none with an ROI: no bar to rank, so the chart says why
    rather than "0 of 15: the highest and lowest"."""
    _, model, _ = _page(sample, Scope("channel", "LinkedIn"))
    many = pd.DataFrame(
        {
            "employee": [f"Employee {i:02d}" for i in range(15)] + [None],
            "investment": [0.0] * 15 + [500.0],
            "roi_pct": [NAN] * 15 + [-100.0],
        }
    )
    chart = roi_chart(dataclasses.replace(model, by_employee=many), "en")
    assert chart.bars == ()
    assert chart.note.startswith("ROI is undefined for every employee") and "€500.00" in chart.note
    # an employee with an investment (cost counted as investment) has an ROI: no note
    some = many.assign(investment=[10.0] + [0.0] * 14 + [500.0], roi_pct=[50.0] + [NAN] * 15)
    chart = roi_chart(dataclasses.replace(model, by_employee=some), "en")
    assert "undefined" not in chart.note


def test_same_numbers_give_identical_charts_and_colours_follow_names():
    args = (["LinkedIn", "Trade fairs", PERSIAN_NAME], [120.5, NAN, -30.0])
    first = charts.bar_chart("t", *args, axis="%", fmt=str, reference=100.0, reference_label="h")
    assert first == charts.bar_chart(
        "t", *args, axis="%", fmt=str, reference=100.0, reference_label="h"
    )
    names = ["LinkedIn", "Google Ads", "Trade fairs"]
    assert charts.colour_for("LinkedIn", names) == charts.colour_for("LinkedIn", names[::-1])
    assert len({charts.colour_for(n, names) for n in names}) == len(names)


def test_a_chart_of_many_groups_shows_the_highest_and_lowest():
    names = [f"Employee {i:03d}" for i in range(200)]
    values = [float(i) for i in range(200)]
    labels, shown = charts.highest_and_lowest(names, values, 12)
    assert shown == [199.0, 198.0, 197.0, 196.0, 195.0, 194.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    assert labels[0] == "Employee 199" and labels[-1] == "Employee 000"
    assert charts.short_label("x" * 100_000) == "x" * 23 + "…"


def test_chart_labels_are_html_text_not_glyph_paths(sample):
    config, model, _ = _page(sample, Scope("channel", "LinkedIn"))
    html = render_html(build_page(model, config), template_dirs(config))
    assert "<svg" in html and "<text" not in html
    # the one kind of path: a series' dots, zero-length strokes with round caps, no glyph
    dots = re.findall(r'<path d="([^"]*)"', html)
    assert dots and all(re.fullmatch(r"M[\d.]+,[\d.]+h0( M[\d.]+,[\d.]+h0)*", d) for d in dots)
    assert f"<td>{PERSIAN_NAME}</td>" in html  # the bar's label, a cell under the plot


@pytest.mark.pdf
def test_a_persian_chart_label_is_extracted_in_logical_order(sample, tmp_path):
    config, model, _ = _page(sample, Scope("channel", "LinkedIn"), language="fa")
    # the name is only in the chart: nobody in LinkedIn has a defined ROI to rank
    assert all(
        PERSIAN_NAME not in t.text
        for table in build_page(model, config).tables
        for row in table.rows
        for t in row
    )
    path = render_pdf(model, config, tmp_path / "channel.pdf")
    # poppler and pypdf order right-to-left runs logically (PDFium keeps a mixed line's
    # words in visual order, which is why preflight compares words, never phrases)
    poppler = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    lines = [re.sub("[\u202a-\u202e]", "", line) for line in poppler.stdout.splitlines()]
    assert PERSIAN_NAME in lines  # the label alone on its line: the chart's, not a table's
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert f"Mikko Korhonen {PERSIAN_NAME}" in text  # the chart's labels, in data order


def test_ticks_are_round_and_inside_the_plot():
    assert charts.nice_ticks(0, 26_000) == [0, 5000, 10000, 15000, 20000, 25000]
    assert charts.nice_ticks(-12, 110) == [0, 25, 50, 75, 100]
    low, high = charts.axis_range([-7.5, 399.6, NAN])
    assert low < -7.5 and high > 399.6 and charts.axis_range([NAN]) == (0.0, 100.0)
