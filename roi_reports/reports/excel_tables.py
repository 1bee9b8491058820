"""One data table on a worksheet: header, typed cells, a totals row, filter, freeze, print.

Totals rows are never summed here: callers pass the engine's total row (ratio of sums),
so a total ROI is net profit over investment of the whole, not a sum of ROIs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from roi_reports.i18n import N_, Gettext
from roi_reports.metrics import METRICS, Unit
from roi_reports.reports.excel_style import (
    BAD_FILL,
    BAD_FONT,
    BAR_COLOUR,
    GOOD_FILL,
    GOOD_FONT,
    HEADER_PROPS,
    UNASSIGNED,
    Styles,
    cell_text,
    header_footer_text,
    number_width,
    text_width,
    write_text,
    write_value,
)

TOTAL_LABEL = N_("Total")
HEADER_HEIGHT = 32


@dataclass(frozen=True)
class Column:
    """A table column: the frame field, its header, and its unit (None for text)."""

    field: str
    header: str
    unit: Unit | None = None
    change: bool = False  # a signed change (+/−) rather than a level
    missing: str = ""  # text for a missing key, e.g. "(unassigned)" for shared costs
    unit_from: str | None = None  # a frame column giving each row's unit (targets)
    withheld: str = ""  # shown in every cell instead of the values (annualised ROI)


@dataclass(frozen=True)
class TableArea:
    """Where a written table sits, so charts and conditional formats can point at it."""

    header_row: int
    first_row: int
    last_row: int  # last data row (first_row - 1 when there are no rows)
    columns: tuple[str, ...]

    def col(self, field: str) -> int:
        return self.columns.index(field)


def key_column(field: str, header: str, missing: str = UNASSIGNED) -> Column:
    return Column(field, header, missing=missing)


def metric_column(name: str) -> Column:
    metric = METRICS[name]
    return Column(name, metric.label, metric.unit)


def withhold(columns: Sequence[Column], fields: Sequence[str], text: str) -> list[Column]:
    """The columns, those of `fields` showing `text` in every cell instead of values."""
    return [replace(c, withheld=text) if c.field in fields else c for c in columns]


def comparison_columns(
    name: str, previous_label: str, relative: bool, t: Gettext = str
) -> list[Column]:
    """`<metric>_prev` and its change: relative (%) for money, absolute for ratios and %.
    Headers are composed, so they are translated here with `t` rather than when written."""
    metric = METRICS[name]
    label = t(metric.label)
    prev = Column(f"{name}_prev", f"{label} {previous_label}", metric.unit)
    if relative:
        header = t("{metric} change %").format(metric=label)
        return [prev, Column(f"{name}_change_pct", header, "percent", True)]
    if metric.unit == "percent":
        header = t("{metric} change (pp)").format(metric=label)
    else:
        header = t("{metric} change").format(metric=label)
    return [prev, Column(f"{name}_change", header, metric.unit, True)]


def write_table(
    sheet: Worksheet,
    styles: Styles,
    frame: pd.DataFrame,
    columns: Sequence[Column],
    top: int = 0,
    total: Mapping[str, object] | None = None,
) -> TableArea:
    """Write header and rows at `top` (and a bold totals row below); set widths."""
    for col, column in enumerate(columns):
        write_text(sheet, styles, top, col, styles.t(column.header), **HEADER_PROPS)
    sheet.set_row(top, HEADER_HEIGHT)
    first = top + 1
    for col, column in enumerate(columns):
        values = frame[column.field].tolist() if column.field in frame else [None] * len(frame)
        units = (
            frame[column.unit_from].tolist() if column.unit_from else [column.unit] * len(values)
        )
        for offset, (value, unit) in enumerate(zip(values, units, strict=True)):
            _write_cell(sheet, styles, first + offset, col, replace(column, unit=unit), value)
        sheet.set_column(col, col, _width(column, values, styles))
    last = first + len(frame) - 1
    if total is not None:
        for col, column in enumerate(columns):
            value = total.get(column.field, styles.t(TOTAL_LABEL) if col == 0 else None)
            _write_cell(sheet, styles, last + 1, col, column, value, bold=True, top=1)
    return TableArea(top, first, last, tuple(c.field for c in columns))


def _write_cell(
    sheet: Worksheet,
    styles: Styles,
    row: int,
    col: int,
    column: Column,
    value: object,
    **props: object,
) -> None:
    if column.withheld:
        write_text(sheet, styles, row, col, column.withheld, align="right", **props)
    elif column.unit is None:
        text = cell_text(value)
        if not text and column.missing:
            write_text(sheet, styles, row, col, styles.t(column.missing), italic=True, **props)
        else:
            write_text(sheet, styles, row, col, text, **props)
    else:
        write_value(sheet, styles, row, col, value, column.unit, column.change, **props)


def _width(column: Column, values: list[object], styles: Styles) -> float:
    # headers wrap, so a long header needs only about half its length
    header = text_width([column.header]) / 2 + 2
    if column.withheld:
        return max(text_width([column.withheld]), header)
    if column.unit is None:
        return max(text_width(cell_text(v, column.missing) for v in values), header)
    return max(number_width(values, column.unit, styles), header)


def finish_table(
    sheet: Worksheet, area: TableArea, title: str, freeze_columns: int = 1, landscape: bool = True
) -> None:
    """Frozen header, autofilter over the data rows, and a print setup a controller expects."""
    last_col = len(area.columns) - 1
    sheet.freeze_panes(area.first_row, freeze_columns)
    sheet.autofilter(area.header_row, 0, max(area.last_row, area.header_row), last_col)
    print_setup(sheet, title, landscape)
    sheet.repeat_rows(area.header_row)


def print_setup(sheet: Worksheet, title: str, landscape: bool = True) -> None:
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    sheet.set_header(f"&L{header_footer_text(title)}&R&A")
    sheet.set_footer("&CPage &P of &N")


def colour_against_hurdle(
    sheet: Worksheet, styles: Styles, area: TableArea, field: str, hurdle: float, last_row: int
) -> None:
    """Green at or above the hurdle, red below; empty (undefined) cells stay uncoloured."""
    if field not in area.columns or last_row < area.first_row:
        return
    col = area.col(field)
    cell = xl_rowcol_to_cell(area.first_row, col, row_abs=False, col_abs=True)
    bounds = (area.first_row, col, last_row, col)
    good = styles.get(bg_color=GOOD_FILL, font_color=GOOD_FONT)
    bad = styles.get(bg_color=BAD_FILL, font_color=BAD_FONT)
    for test, fmt in ((f"{cell}>={hurdle!r}", good), (f"{cell}<{hurdle!r}", bad)):
        sheet.conditional_format(
            *bounds,
            {"type": "formula", "criteria": f"=AND(ISNUMBER({cell}),{test})", "format": fmt},
        )


def data_bar(sheet: Worksheet, area: TableArea, field: str) -> None:
    if field not in area.columns or area.last_row < area.first_row:
        return
    col = area.col(field)
    sheet.conditional_format(
        area.first_row, col, area.last_row, col, {"type": "data_bar", "bar_color": BAR_COLOUR}
    )
