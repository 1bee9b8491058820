"""Charts: deterministic SVG, undefined values as gaps, one palette."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from roi_reports.reports import charts

pytestmark = pytest.mark.pdf
NAN = math.nan


def _line_paths(svg: str, colour: str) -> list[str]:
    """The `d` of every stroked path drawn in `colour` (the data lines)."""
    root = ET.fromstring(svg)
    found = []
    for path in root.iter("{http://www.w3.org/2000/svg}path"):
        style = path.get("style", "")
        if f"stroke: {colour.lower()}" in style.lower() and "fill: none" in style:
            found.append(path.get("d", ""))
    return found


def test_same_numbers_give_identical_svg_without_a_date():
    args = (["LinkedIn", "Trade fairs", "نگار محمدی"], [120.5, NAN, -30.0])
    first = charts.bar_chart_svg(*args, ylabel="ROI (%)", reference=100.0, reference_label="h")
    second = charts.bar_chart_svg(*args, ylabel="ROI (%)", reference=100.0, reference_label="h")
    assert first == second
    assert "<dc:date>" not in first and first.lstrip().startswith("<?xml")


def test_undefined_month_breaks_the_line_instead_of_dropping_to_zero():
    months = ["2026-07", "2026-08", "2026-09", "2026-10"]
    gap = charts.trend_chart_svg(months, [100.0, NAN, 300.0, 400.0], [1.0] * 4, currency="EUR")
    zero = charts.trend_chart_svg(months, [100.0, 0.0, 300.0, 400.0], [1.0] * 4, currency="EUR")
    # the data line is drawn before its legend sample
    gap_line = _line_paths(gap, charts.REVENUE_COLOUR)[0]
    zero_line = _line_paths(zero, charts.REVENUE_COLOUR)[0]
    # a gap starts a new sub-path (a second "M"); a zero is one continuous line
    assert len(re.findall(r"M", gap_line)) == 2
    assert len(re.findall(r"M", zero_line)) == 1


def test_colours_follow_names_not_their_order():
    names = ["LinkedIn", "Google Ads", "Trade fairs"]
    assert charts.colour_for("LinkedIn", names) == charts.colour_for(
        "LinkedIn", list(reversed(names))
    )
    assert len({charts.colour_for(n, names) for n in names}) == len(names)


def test_axis_label_names_the_unit():
    svg = charts.trend_chart_svg(["2026-10"], [1.0], [2.0], currency="EUR")
    # text is drawn as glyph paths; matplotlib keeps each text's source in a comment
    assert "<!-- EUR -->" in svg
