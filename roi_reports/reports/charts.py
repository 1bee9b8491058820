"""Report charts: matplotlib (Agg) → SVG text, deterministic and with gaps for undefined values.

Reruns on the same numbers give byte-identical SVG (fixed `svg.hashsalt`, no date in the
metadata), so a PDF that did not change in substance does not change in bytes either.
Text is drawn as glyph paths (`svg.fonttype = path`), as WeasyPrint's SVG text would
reverse Persian. matplotlib neither joins Arabic-script letters nor orders right-to-left
text, so every chart text goes through `visual()` (arabic-reshaper picks the joined letter
forms, python-bidi the visual order); the tables beside each chart carry the same names
as searchable text.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")

import arabic_reshaper
import matplotlib.pyplot as plt
from bidi import get_display
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from roi_reports.metrics import Unit
from roi_reports.reports.formatting import MISSING, format_value

# One palette for every chart (colour-blind safe, Okabe–Ito order); a name keeps its
# colour across charts because colours follow the sorted list of names.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
REVENUE_COLOUR = "#009E73"
COST_COLOUR = "#D55E00"
NEGATIVE_COLOUR = "#D55E00"
INK = "#333333"
GRID = "#DDDDDD"
WIDTH_IN, HEIGHT_IN = 7.0, 2.3

_STYLE: dict[str, Any] = {
    "svg.hashsalt": "roi-reports",
    "svg.fonttype": "path",
    "font.family": ["Noto Sans", "Noto Sans Arabic", "DejaVu Sans", "sans-serif"],
    "font.size": 8,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def visual(text: str) -> str:
    """Text as matplotlib must draw it: Arabic-script letters joined and in visual order."""
    if not _ARABIC_SCRIPT.search(text):
        return text
    return str(get_display(arabic_reshaper.reshape(text)))


def colour_for(name: str, names: Sequence[str]) -> str:
    """The palette colour of `name` among `names` (stable: depends on sorted order only)."""
    ordered = sorted(set(names))
    return PALETTE[ordered.index(name) % len(PALETTE)] if name in ordered else PALETTE[0]


def _to_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _axis_formatter(unit: Unit, currency: str, language: str) -> FuncFormatter:
    # money ticks show whole units (the axis label names the currency) to stay short
    tick_unit: Unit = "count" if unit == "money" else unit
    return FuncFormatter(
        lambda value, _pos: visual(format_value(value, tick_unit, currency, language))
    )


def _finish_axes(axes: Axes, ylabel: str, unit: Unit, currency: str, language: str) -> None:
    axes.set_ylabel(visual(ylabel))
    axes.yaxis.set_major_formatter(_axis_formatter(unit, currency, language))
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    ylabel: str,
    unit: Unit = "percent",
    currency: str = "EUR",
    language: str = "en",
    reference: float | None = None,
    reference_label: str = "",
) -> str:
    """One bar per label; an undefined value is an empty slot marked "–", never a 0 bar."""
    with plt.rc_context(_STYLE):  # type: ignore[arg-type]
        figure, axes = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN))
        positions = range(len(labels))
        heights = [0.0 if math.isnan(v) else v for v in values]
        colours = [colour_for(label, labels) for label in labels]
        bars = axes.bar(positions, heights, color=colours, width=0.6)
        for bar, value in zip(bars, values, strict=True):
            if math.isnan(value):
                bar.set_visible(False)
                axes.annotate(MISSING, (bar.get_x() + bar.get_width() / 2, 0), ha="center")
        axes.axhline(0, color=INK, linewidth=0.8)
        if all(math.isnan(v) for v in values):
            axes.set_ylim(0, 100)  # nothing defined: a plain axis rather than a degenerate one
        if reference is not None:
            axes.axhline(reference, color=NEGATIVE_COLOUR, linestyle="--", linewidth=1)
            axes.annotate(
                visual(reference_label), (len(labels) - 0.5, reference), ha="right", va="bottom"
            )
        rotation = 20 if len(labels) > 4 else 0
        axes.set_xticks(list(positions), [visual(label) for label in labels], rotation=rotation)
        _finish_axes(axes, ylabel, unit, currency, language)
        return _to_svg(figure)


def line_chart_svg(
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    ylabel: str,
    unit: Unit = "money",
    currency: str = "EUR",
    language: str = "en",
    colours: Mapping[str, str] | None = None,
) -> str:
    """One line per series over `x_labels`; NaN breaks the line (a gap, not a zero)."""
    with plt.rc_context(_STYLE):  # type: ignore[arg-type]
        figure, axes = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN))
        positions = list(range(len(x_labels)))
        for name, values in series.items():
            colour = (colours or {}).get(name) or colour_for(name, list(series))
            axes.plot(
                positions, list(values), marker="o", markersize=3, color=colour, label=visual(name)
            )
        axes.set_xticks(positions, [visual(label) for label in x_labels])
        axes.legend(frameon=False, loc="best")
        _finish_axes(axes, ylabel, unit, currency, language)
        return _to_svg(figure)


def trend_chart_svg(
    months: Sequence[str],
    revenue: Sequence[float],
    cost: Sequence[float],
    *,
    currency: str,
    language: str = "en",
    labels: tuple[str, str] = ("Revenue", "Cost"),
) -> str:
    """Revenue against cost by month, in the reporting currency."""
    return line_chart_svg(
        months,
        {labels[0]: revenue, labels[1]: cost},
        ylabel=f"{currency}",
        unit="money",
        currency=currency,
        language=language,
        colours={labels[0]: REVENUE_COLOUR, labels[1]: COST_COLOUR},
    )
