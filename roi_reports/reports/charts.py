"""Report charts as display data: HTML/CSS bars and SVG lines, every text real HTML text.

The templates print a bar as a positioned box and a line as an SVG polyline; tick labels,
names and values are HTML text beside them, so Pango shapes Persian as in the tables, the
text is selectable and searchable, and no glyph is ever drawn as a path. Positions are
percentages of the plot area, measured from its top (and left), rounded to 0.01 so the
same numbers always give the same bytes. Undefined values stay gaps marked "–", never 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from roi_reports.reports.formatting import shorten

# One palette for every chart (colour-blind safe, Okabe–Ito order); a name keeps its
# colour across charts because colours follow the sorted list of names.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
REVENUE_COLOUR = "#009E73"
COST_COLOUR = "#D55E00"
TICKS = 5  # about this many gridlines per chart
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
MARGIN = 0.12  # of the values' span beyond the extreme values: room for their labels
BAR_SHARE = 0.6  # of each bar's slot; the rest is the gap between bars
VIEW_WIDTH, VIEW_HEIGHT = 1000, 250  # the line chart's SVG coordinates (scaled uniformly)
LABEL_CHARS = 24  # a chart's category label longer than this ends in "…"

Formatter = Callable[[float], str]  # a value as the chart prints it ("–" when undefined)


@dataclass(frozen=True)
class Tick:
    text: str
    top: float  # % of the plot's height, from its top


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # the bar's value as the table beside the chart prints it
    colour: str
    left: float  # % of the plot's width
    width: float
    top: float  # % of the plot's height: the bar spans top … top + height
    height: float
    tone: str  # "up" or "missing" (value printed above the bar or zero line) or "down"
    value_edge: float  # up, missing: % from the plot's bottom to the bar's top; down: from
    # the plot's top to the bar's bottom


@dataclass(frozen=True)
class Reference:
    label: str
    top: float


@dataclass(frozen=True)
class BarChart:
    title: str
    axis: str  # what the values are ("ROI (%)")
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    zero: float  # where the zero line is (% from the top)
    reference: Reference | None = None
    note: str = ""  # e.g. which bars of how many are shown
    kind: str = "bars"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(bar.label for bar in self.bars)


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    lines: tuple[str, ...]  # SVG polyline points, one per unbroken run of values
    dots: tuple[tuple[float, float], ...]  # (x, y) of every defined value, SVG units

    @property
    def dot_path(self) -> str:
        """Every dot as one SVG path of zero-length strokes: with round caps each is a
        circle, and one element draws them all (a page with fewer elements renders faster)."""
        return " ".join(f"M{x:g},{y:g}h0" for x, y in self.dots)


@dataclass(frozen=True)
class LineChart:
    title: str
    axis: str
    labels: tuple[str, ...]  # one per point along the x axis, in order
    series: tuple[Series, ...]
    ticks: tuple[Tick, ...]
    view_width: int = VIEW_WIDTH
    view_height: int = VIEW_HEIGHT
    kind: str = "lines"


def colour_for(name: str, names: Sequence[str]) -> str:
    """The palette colour of `name` among `names` (stable: depends on sorted order only)."""
    ordered = sorted(set(names))
    return PALETTE[ordered.index(name) % len(PALETTE)] if name in ordered else PALETTE[0]


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """A category name short enough to sit under a bar (the table beside has more of it)."""
    return shorten(text, limit)


def nice_ticks(low: float, high: float, count: int = TICKS) -> list[float]:
    """Round gridline values (steps of 1, 2, 2.5 or 5 × 10ⁿ) within low … high."""
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    # the round step whose number of intervals is nearest the wanted count
    step = min(
        (m * magnitude for m in NICE_STEPS),
        key=lambda s: abs((high - low) / s - (count - 1)),
    )
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [index * step for index in range(first, last + 1)]


def axis_range(values: Sequence[float]) -> tuple[float, float]:
    """The plot's extent: zero and every value, with a margin beyond the values (none
    below zero when nothing is negative, so bars stand on the plot's bottom)."""
    finite = [v for v in values if math.isfinite(v)]
    low, high = min([0.0, *finite]), max([0.0, *finite])
    if high - low < 1e-12 * max(abs(low), abs(high), 1.0):
        return (low, low + (abs(low) or 100.0)) if low >= 0 else (low, 0.0)
    span = high - low
    return (low - span * MARGIN if low < 0 else low, high + span * MARGIN if high > 0 else high)


def _scale(low: float, high: float) -> Callable[[float], float]:
    """Value → % of the plot's height from its top."""
    return lambda value: round((high - value) / (high - low) * 100, 2)


def _tick_marks(
    ticks: Sequence[float], where: Callable[[float], float], fmt: Formatter
) -> tuple[Tick, ...]:
    return tuple(Tick(fmt(value), where(value)) for value in reversed(ticks))


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    axis: str,
    fmt: Formatter,
    tick_fmt: Formatter | None = None,
    reference: float | None = None,
    reference_label: str = "",
    note: str = "",
) -> BarChart:
    """One bar per label, in order; an undefined value is an empty slot marked "–"."""
    low, high = axis_range([*values, *([reference] if reference is not None else [])])
    ticks, where = nice_ticks(low, high), _scale(low, high)
    zero = where(0.0)
    slot = 100 / max(len(labels), 1)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        left = round(slot * (index + (1 - BAR_SHARE) / 2), 2)
        tone = "missing" if not math.isfinite(value) else "up" if value >= 0 else "down"
        end = zero if tone == "missing" else where(value)
        top, bottom = min(zero, end), max(zero, end)
        bars.append(
            Bar(
                label=short_label(label),
                value=fmt(value),
                colour=colour_for(label, labels),
                left=left,
                width=round(slot * BAR_SHARE, 2),
                top=top,
                height=round(bottom - top, 2),
                tone=tone,
                value_edge=bottom if tone == "down" else round(100 - top, 2),
            )
        )
    marker = None if reference is None else Reference(reference_label, where(reference))
    tick_text = tick_fmt or fmt
    return BarChart(
        title, axis, tuple(bars), _tick_marks(ticks, where, tick_text), zero, marker, note
    )


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    colours: Mapping[str, str],
    *,
    axis: str,
    tick_fmt: Formatter,
) -> LineChart:
    """One line per series over `labels`; an undefined value breaks the line (a gap)."""
    low, high = axis_range([v for values in series.values() for v in values])
    ticks, where = nice_ticks(low, high), _scale(low, high)
    slot = VIEW_WIDTH / max(len(labels), 1)
    drawn = []
    for name, values in series.items():
        points = [
            (round(slot * (index + 0.5), 2), round(where(value) * VIEW_HEIGHT / 100, 2))
            if math.isfinite(value)
            else None
            for index, value in enumerate(values)
        ]
        drawn.append(Series(name, colours[name], _runs(points), tuple(p for p in points if p)))
    return LineChart(title, axis, tuple(labels), tuple(drawn), _tick_marks(ticks, where, tick_fmt))


def _runs(points: Sequence[tuple[float, float] | None]) -> tuple[str, ...]:
    """SVG `points` of each run of two or more consecutive defined points."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return tuple(" ".join(f"{x:g},{y:g}" for x, y in run) for run in runs if len(run) > 1)


def highest_and_lowest(
    labels: Sequence[str], values: Sequence[float], limit: int
) -> tuple[list[str], list[float]]:
    """At most `limit` bars: all of them, or the highest and lowest halves by value (in
    value order, undefined values left out), so a report on 500 people stays readable."""
    if len(labels) <= limit:
        return list(labels), list(values)
    ranked = sorted(
        ((v, label) for label, v in zip(labels, values, strict=True) if math.isfinite(v)),
        key=lambda pair: (-pair[0], pair[1]),
    )
    half = limit // 2
    picked = ranked if len(ranked) <= limit else ranked[:half] + ranked[-(limit - half) :]
    return [label for _, label in picked], [value for value, _ in picked]
