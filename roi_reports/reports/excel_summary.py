"""The Summary sheet: what the period was, the KPI block with changes, rankings, and charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

import pandas as pd
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from roi_reports.i18n import N_, Gettext
from roi_reports.metrics import KEY_METRICS, METRICS
from roi_reports.periods import Period
from roi_reports.reports.annualised import ANNUALISED, WITHHELD, annualised_shown, summary_note
from roi_reports.reports.excel_style import (
    HEADER_PROPS,
    Styles,
    write_text,
    write_value,
)
from roi_reports.reports.excel_tables import (
    Column,
    TableArea,
    colour_against_hurdle,
    key_column,
    metric_column,
    print_setup,
    write_table,
)
from roi_reports.reports.model import ReportModel
from roi_reports.reports.unknown_notes import total_name, unknown_notes

KPIS = (*KEY_METRICS, "annualized_roi_pct")
RANKING_METRICS = ("roi_pct", "net_profit", "revenue")
TREND_METRICS = ("cost", "revenue", "net_profit", "roi_pct", "roas")
CHART_COLUMN = 9  # charts sit right of the tables (column J)
NOTE_LINE_CHARS = 150  # about what columns A–H (30 + 7 × 16 wide) hold in a line
COST_COLOUR, REVENUE_COLOUR = "#ED7D31", "#5B9BD5"


def period_text(period: Period) -> str:
    return f"{period.label} ({period.start:%Y-%m-%d} – {period.end:%Y-%m-%d})"


def write_summary(
    workbook: Workbook,
    sheet: Worksheet,
    styles: Styles,
    model: ReportModel,
    channels: tuple[str, TableArea],
) -> None:
    """Heading, KPI block, top/bottom channels and employees, trend; then the two charts."""
    row = _write_heading(sheet, styles, model)
    row = _write_kpis(sheet, styles, model, row + 1)
    row = _write_kpi_caveats(sheet, styles, model, row)
    t = styles.t
    for table, key, titles in (
        (model.by_channel, "channel", (t("Top channels by ROI %"), t("Bottom channels by ROI %"))),
        (
            model.by_employee,
            "employee",
            (t("Top employees by ROI %"), t("Bottom employees by ROI %")),
        ),
    ):
        top, bottom = model.top_and_bottom(table, key)
        row = _write_ranking(sheet, styles, titles[0], top, key, row + 1)
        row = _write_ranking(sheet, styles, titles[1], bottom, key, row + 1)
    sheet.write_string(row + 1, 0, t("Revenue and cost by month"), styles.section())
    trend_columns = [key_column("month", N_("Month")), *(metric_column(m) for m in TREND_METRICS)]
    trend = write_table(sheet, styles, model.monthly_total, trend_columns, top=row + 2)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 7, 16)
    _insert_roi_chart(workbook, sheet, styles, model, channels)
    _insert_trend_chart(workbook, sheet, styles, trend)
    print_setup(sheet, model.title)
    sheet.hide_gridlines(2)


def _write_heading(sheet: Worksheet, styles: Styles, model: ReportModel) -> int:
    write_text(sheet, styles, 0, 0, model.title, bold=True, font_size=16)
    t = styles.t
    scope = t("whole team") if model.scope.kind == "all" else model.scope.label
    facts = [
        (t("Period"), period_text(model.period)),
        (t("Compared with"), period_text(model.previous)),
        (t("Scope"), scope),
        (t("Currency"), model.currency),
    ]
    row = 2
    for label, text in facts:
        sheet.write_string(row, 0, label, styles.get(bold=True))
        write_text(sheet, styles, row, 1, text)
        row += 1
    sheet.write_string(row, 0, t("Latest entry"), styles.get(bold=True))
    latest = datetime.combine(model.latest_entry, time())
    sheet.write_datetime(row, 1, latest, styles.get(num_format="yyyy-mm-dd", align="left"))
    sheet.write_string(row + 1, 0, t("ROI hurdle"), styles.get(bold=True))
    if model.hurdle_roi_pct is None:
        sheet.write_string(row + 1, 1, t("none (ROI coloured against break-even, 0 %)"))
    else:
        write_value(sheet, styles, row + 1, 1, model.hurdle_roi_pct, "percent", align="left")
    return row + 2


def _kpi_headers(model: ReportModel, t: Gettext) -> list[str]:
    headers = [t("Metric"), model.period.label, model.previous.label, t("Change")]
    headers += [t("Change %"), t("Target"), t("Attainment %")]
    if model.team_total is not None:
        headers.append(t("Whole team"))
    return headers


def _write_kpis(sheet: Worksheet, styles: Styles, model: ReportModel, top: int) -> int:
    """One row per KPI: this period, previous, change, change %, target, team total."""
    sheet.write_string(top, 0, styles.t("Key figures"), styles.section())
    header = top + 1
    for col, text in enumerate(_kpi_headers(model, styles.t)):
        write_text(sheet, styles, header, col, text, **HEADER_PROPS)
    goals = model.targets[model.targets["dimension"] == "total"].set_index("metric")
    shown = annualised_shown(model.period.days)
    for offset, name in enumerate(KPIS, start=1):
        goal = goals.loc[name] if name in goals.index else None
        withheld = name in ANNUALISED and not shown
        _write_kpi_row(sheet, styles, model, header + offset, name, goal, withheld)
    roi_row = header + 1 + KPIS.index("roi_pct")
    roi_cell = TableArea(header, roi_row, roi_row, ("metric", "value"))
    hurdle = model.hurdle_roi_pct if model.hurdle_roi_pct is not None else 0.0
    colour_against_hurdle(sheet, styles, roi_cell, "value", hurdle, roi_row)
    if shown:
        return header + len(KPIS) + 1
    total = model.total.iloc[0]
    note = summary_note(
        model.period,
        total["roi_pct"],
        total["annualized_roi_pct"],
        model.currency,
        styles.language,
        styles.t,
    )
    _write_note(sheet, styles, header + len(KPIS) + 1, note)
    return header + len(KPIS) + 2


def _write_kpi_row(
    sheet: Worksheet,
    styles: Styles,
    model: ReportModel,
    row: int,
    name: str,
    goal: Any,
    withheld: bool,
) -> None:
    """Label, value, previous, change, change %, target, attainment, team total; a
    withheld figure (annualised ROI of a short period) is "–" wherever it would show."""
    unit, total = METRICS[name].unit, model.total.iloc[0]
    figures = {
        1: (total[name], unit, False),
        2: (total.get(f"{name}_prev"), unit, False),
        3: (total.get(f"{name}_change"), unit, True),
        4: (total.get(f"{name}_change_pct"), "percent", True),
        6: (None if goal is None else goal["attainment_pct"], "percent", False),
    }
    if model.team_total is not None:
        figures[7] = (model.team_total.iloc[0][name], unit, False)
    sheet.write_string(row, 0, styles.t(METRICS[name].label))
    for col, (value, col_unit, change) in figures.items():
        if withheld and (col != 6 or goal is not None):
            write_text(sheet, styles, row, col, WITHHELD, align="right")
        else:
            emphasis = {"bold": True} if col == 1 else {}
            write_value(sheet, styles, row, col, value, col_unit, change, **emphasis)
    write_value(sheet, styles, row, 5, None if goal is None else goal["target"], unit)


def _write_note(sheet: Worksheet, styles: Styles, row: int, text: str) -> None:
    """A paragraph over the table's width (columns A–H), wrapped: charts sit right of it."""
    fmt = styles.get(italic=True, text_wrap=True, valign="top")
    sheet.merge_range(row, 0, row, CHART_COLUMN - 2, "", fmt)
    sheet.write_string(row, 0, text, fmt)
    sheet.set_row(row, 15 * (1 + len(text) // NOTE_LINE_CHARS))


def _write_kpi_caveats(sheet: Worksheet, styles: Styles, model: ReportModel, row: int) -> int:
    """Under the key figures: which of them are partial or unknown, and why (the Data
    quality sheet lists every group); nothing when the files know everything."""
    total = total_name(model, styles.t)
    for line in unknown_notes(model.total, (), total, styles.t):
        write_text(sheet, styles, row, 0, line, italic=True)
        row += 1
    return row


def _write_ranking(
    sheet: Worksheet, styles: Styles, title: str, frame: pd.DataFrame, key: str, top: int
) -> int:
    if frame.empty:
        return top - 1
    sheet.write_string(top, 0, title, styles.section())
    columns: Sequence[Column] = [
        key_column(key, key.capitalize()),
        *(metric_column(m) for m in RANKING_METRICS),
    ]
    area = write_table(sheet, styles, frame, columns, top=top + 1)
    return area.last_row + 1


def _insert_roi_chart(
    workbook: Workbook,
    sheet: Worksheet,
    styles: Styles,
    model: ReportModel,
    channels: tuple[str, TableArea],
) -> None:
    """ROI % per named channel (the unassigned shared-cost row sits below them, left out)."""
    name, area = channels
    named = int(model.by_channel["channel"].notna().sum())
    if not named:
        return
    last, col = area.first_row + named - 1, area.col("roi_pct")
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "ROI %",
            "categories": [name, area.first_row, 0, last, 0],
            "values": [name, area.first_row, col, last, col],
            "fill": {"color": REVENUE_COLOUR},
            "data_labels": {"value": True, "num_format": '#,##0"%"'},
        }
    )
    chart.set_title({"name": f"{styles.t('ROI % by channel')}, {model.period.label}"})
    chart.set_x_axis({"num_format": '#,##0"%"', "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True, "label_position": "low"})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": 320})
    sheet.insert_chart(2, CHART_COLUMN, chart)


def _insert_trend_chart(
    workbook: Workbook, sheet: Worksheet, styles: Styles, trend: TableArea
) -> None:
    if trend.last_row < trend.first_row:
        return
    chart = workbook.add_chart({"type": "column"})
    for field, colour in (("revenue", REVENUE_COLOUR), ("cost", COST_COLOUR)):
        col = trend.col(field)
        chart.add_series(
            {
                "name": [sheet.name, trend.header_row, col],
                "categories": [sheet.name, trend.first_row, 0, trend.last_row, 0],
                "values": [sheet.name, trend.first_row, col, trend.last_row, col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": styles.t("Revenue vs cost by month")})
    chart.set_y_axis({"num_format": styles.number_format("money")})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 320})
    sheet.insert_chart(20, CHART_COLUMN, chart)
