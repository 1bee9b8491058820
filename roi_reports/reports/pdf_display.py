"""Display rows for the PDF templates: every text a report prints, built from a ReportModel.

Templates only loop and print; all numbers become text here through `formatting`, so a
PDF shows exactly what the Excel workbook shows. Values stay plain strings (escaped by
jinja's autoescape when printed), charts are data URIs of SVG images.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from roi_reports.config import Config
from roi_reports.metrics import METRICS, MetricContext, compute_all
from roi_reports.periods import month_index, period_label
from roi_reports.pipeline import UNASSIGNED
from roi_reports.reports import charts
from roi_reports.reports.formatting import format_change, format_metric, format_value
from roi_reports.reports.model import ReportModel, trend_window

KPI_METRICS = (
    "revenue",
    "cost",
    "net_profit",
    "roi_pct",
    "roas",
    "conversions",
    "conversion_rate_pct",
    "cpa",
)
CHANNEL_COLUMNS = (
    "cost",
    "revenue",
    "net_profit",
    "roi_pct",
    "roas",
    "conversions",
    "conversion_rate_pct",
    "cpa",
)
RANKED_COLUMNS = ("revenue", "cost", "roi_pct", "conversions", "conversion_rate_pct")
CAMPAIGN_COLUMNS = ("cost", "revenue", "roi_pct", "roas", "conversions")
TEAM_COLUMNS = ("contacts", "conversions", "revenue", "cost", "roi_pct", "roas", "cpa")
DEFINED_METRICS = (*KPI_METRICS, "investment", "cost_per_contact", "avg_ticket")
SCOPE_TITLES = {"channel": "Channel", "employee": "Employee", "campaign": "Campaign"}


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""  # "num", "good", "bad", … — classes the stylesheet knows


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty_text: str = "No data for this period."


@dataclass(frozen=True)
class KpiCard:
    label: str
    value: str
    previous: str
    change: str
    arrow: str
    tone: str  # good / bad / flat
    team: str | None = None


@dataclass(frozen=True)
class Chart:
    title: str
    src: str  # data:image/svg+xml;base64,…
    alt: str


@dataclass(frozen=True)
class Definition:
    label: str
    formula: str
    null_rule: str


@dataclass(frozen=True)
class Page:
    """Everything report.html prints, as text."""

    lang: str
    direction: str
    page_size: str
    title: str
    heading: str
    period: str
    previous: str
    generated_at: str
    created_iso: str
    logo: str | None
    kpis: tuple[KpiCard, ...]
    charts: tuple[Chart, ...]
    tables: tuple[Table, ...]
    targets: Table
    definitions: tuple[Definition, ...]
    example: str
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    inputs: tuple[Cell, ...] = field(default_factory=tuple)


def _name(value: Any) -> str:
    return UNASSIGNED if value is None or pd.isna(value) else str(value)


def _tone(metric: str, change: float) -> tuple[str, str]:
    """Arrow and colour of a change: green when it moved the good way for this metric."""
    if math.isnan(change) or change == 0:
        return ("▶" if change == 0 else "", "flat")
    better = (change > 0) == METRICS[metric].higher_is_better
    return ("▲" if change > 0 else "▼", "good" if better else "bad")


def _kpi_card(model: ReportModel, metric: str, language: str) -> KpiCard:
    row = model.total.iloc[0]
    unit = METRICS[metric].unit
    change = float(row[f"{metric}_change"])
    change_text = format_change(change, unit, model.currency, language)
    if unit != "percent" and not pd.isna(row[f"{metric}_change_pct"]):
        relative = format_change(row[f"{metric}_change_pct"], "percent", model.currency, language)
        change_text = f"{change_text} ({relative})"
    arrow, tone = _tone(metric, change)
    team = None
    if model.team_total is not None:
        team = format_metric(metric, model.team_total.iloc[0][metric], model.currency, language)
    return KpiCard(
        label=METRICS[metric].label,
        value=format_metric(metric, row[metric], model.currency, language),
        previous=format_metric(metric, row[f"{metric}_prev"], model.currency, language),
        change=change_text,
        arrow=arrow,
        tone=tone,
        team=team,
    )


def _roi_css(model: ReportModel, value: float) -> str:
    if model.hurdle_roi_pct is None or pd.isna(value):
        return "num"
    return "num good" if value >= model.hurdle_roi_pct else "num bad"


def metric_table(
    model: ReportModel,
    table: pd.DataFrame,
    key: str,
    columns: Sequence[str],
    caption: str,
    language: str,
) -> Table:
    """One row per group: the key's name, then each metric formatted by its unit."""
    headers = (Cell(key.capitalize()), *(Cell(METRICS[c].label, "num") for c in columns))
    rows = []
    for record in table.to_dict("records"):
        cells = [Cell(_name(record[key]))]
        for column in columns:
            text = format_metric(column, record[column], model.currency, language)
            css = _roi_css(model, record[column]) if column == "roi_pct" else "num"
            cells.append(Cell(text, css))
        rows.append(tuple(cells))
    return Table(caption, headers, tuple(rows))


def targets_table(model: ReportModel, language: str) -> Table:
    names = ("Level", "Name", "Metric", "Target", "Actual", "Attainment", "Status")
    headers = tuple(Cell(name, "num" if 3 <= i <= 5 else "") for i, name in enumerate(names))
    rows = []
    for target in model.targets.to_dict("records"):
        metric = str(target["metric"])
        status = str(target["status"])
        rows.append(
            (
                Cell(str(target["dimension"])),
                Cell("all" if target["dimension"] == "total" else _name(target["name"])),
                Cell(METRICS[metric].label),
                Cell(format_metric(metric, target["target"], model.currency, language), "num"),
                Cell(format_metric(metric, target["actual"], model.currency, language), "num"),
                Cell(
                    format_value(target["attainment_pct"], "percent", model.currency, language),
                    "num",
                ),
                Cell(status, {"met": "good", "behind": "bad"}.get(status, "")),
            )
        )
    return Table("Targets and attainment", headers, tuple(rows), "No targets for this period.")


def team_table(model: ReportModel, language: str) -> Table | None:
    """A scoped report's own figures beside the whole team's (ratios are the team's ratios)."""
    if model.team_total is None:
        return None
    own, team = model.total.iloc[0], model.team_total.iloc[0]
    headers = (Cell("Metric"), Cell(model.scope.name or "", "num"), Cell("Team", "num"))
    rows = tuple(
        (
            Cell(METRICS[m].label),
            Cell(format_metric(m, own[m], model.currency, language), "num"),
            Cell(format_metric(m, team[m], model.currency, language), "num"),
        )
        for m in TEAM_COLUMNS
    )
    return Table("Compared with the team", headers, rows)


def ranked_tables(model: ReportModel, language: str) -> tuple[Table, ...]:
    """Top and bottom employees by ROI, when there are at least two to compare."""
    if model.scope.kind == "employee":
        return ()
    top, bottom = model.top_and_bottom(model.by_employee, "employee")
    if len(top) + len(bottom) < 2:
        return ()
    return (
        metric_table(model, top, "employee", RANKED_COLUMNS, "Top employees by ROI", language),
        metric_table(
            model, bottom, "employee", RANKED_COLUMNS, "Bottom employees by ROI", language
        ),
    )


def svg_data_uri(svg: str) -> str:
    """An SVG as an image URI: embedded in the PDF, isolated from the page's HTML."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _month_labels(model: ReportModel, fiscal_year_start: int) -> list[str]:
    """Every month of the trend window from the first month with data (later gaps kept)."""
    window = trend_window(model.period, fiscal_year_start)
    first = month_index(window.start.year, window.start.month)
    last = month_index(window.end.year, window.end.month)
    labels = [period_label("month", m) for m in range(first, last + 1)]
    present = set(model.monthly_total["month"].astype(str))
    while labels and labels[0] not in present and len(labels) > 1:
        labels.pop(0)
    return labels


def trend_chart(model: ReportModel, fiscal_year_start: int, language: str) -> Chart:
    months = _month_labels(model, fiscal_year_start)
    by_month = model.monthly_total.assign(month=model.monthly_total["month"].astype(str))
    by_month = by_month.set_index("month").reindex(months)  # months without data → NaN gaps
    svg = charts.trend_chart_svg(
        months,
        by_month["revenue"].astype("float64").tolist(),
        by_month["cost"].astype("float64").tolist(),
        currency=model.currency,
        language=language,
    )
    return Chart("Revenue vs cost by month", svg_data_uri(svg), "Revenue and cost per month")


def roi_chart(model: ReportModel, language: str) -> Chart:
    """ROI % per channel (per employee in a channel's own report)."""
    key, table = ("channel", model.by_channel)
    if model.scope.kind == "channel":
        key, table = ("employee", model.by_employee)
    named = table[table[key].notna()]
    hurdle = model.hurdle_roi_pct
    svg = charts.bar_chart_svg(
        [str(n) for n in named[key]],
        named["roi_pct"].astype("float64").tolist(),
        ylabel="ROI (%)",
        unit="percent",
        currency=model.currency,
        language=language,
        reference=hurdle,
        reference_label="" if hurdle is None else "hurdle " + format_value(hurdle, "percent", ""),
    )
    return Chart(f"ROI % by {key}", svg_data_uri(svg), f"Bar chart of ROI % by {key}")


def seed_example(currency: str, language: str) -> str:
    """The Finnish seed's worked example, computed by the metric registry itself."""
    sums = pd.DataFrame(
        {"contacts": [50.0], "conversions": [15.0], "revenue": [1050.0], "gross_profit": [0.0]}
    ).assign(cost=500.0, investment=500.0)
    values = compute_all(sums, MetricContext("revenue", pd.Series([30]))).iloc[0]

    def text(name: str) -> str:
        return format_metric(name, values[name], currency, language)

    return (
        f"Example: cost {text('cost')}, {text('contacts')} contacts, "
        f"{text('conversions')} conversions, revenue {text('revenue')} → net profit "
        f"{text('net_profit')}, ROI {text('roi_pct')}, ROAS {text('roas')}, conversion rate "
        f"{text('conversion_rate_pct')}, CPA {text('cpa')}, break-even "
        f"{text('break_even_conversions')} conversions."
    )


def _heading(model: ReportModel) -> str:
    if model.scope.kind == "all":
        return "Executive summary"
    return f"{SCOPE_TITLES[model.scope.kind]}: {model.scope.name}"


def build_page(model: ReportModel, config: Config, logo: str | None = None) -> Page:
    """Every text and chart of one report, ready for the templates to print."""
    settings = config.report
    language = settings.language
    tables = [
        metric_table(model, model.by_channel, "channel", CHANNEL_COLUMNS, "By channel", language)
    ]
    team = team_table(model, language)
    if team is not None:
        tables.insert(0, team)
    tables.extend(ranked_tables(model, language))
    tables.append(
        metric_table(
            model, model.by_campaign, "campaign", CAMPAIGN_COLUMNS, "By campaign", language
        )
    )
    return Page(
        lang=language,
        direction="rtl" if language == "fa" else "ltr",
        page_size=f"{settings.paper} {settings.orientation}",
        title=model.title,
        heading=_heading(model),
        period=f"{model.period.label} ({model.period.start} – {model.period.end})",
        previous=model.previous.label,
        generated_at=f"{model.generated_at:%Y-%m-%d %H:%M %Z}".strip(),
        created_iso=model.generated_at.isoformat(timespec="seconds"),
        logo=logo,
        kpis=tuple(_kpi_card(model, m, language) for m in KPI_METRICS),
        charts=(
            roi_chart(model, language),
            trend_chart(model, settings.fiscal_year_start, language),
        ),
        tables=tuple(tables),
        targets=targets_table(model, language),
        definitions=tuple(
            Definition(METRICS[m].label, METRICS[m].formula, METRICS[m].null_rule)
            for m in DEFINED_METRICS
        ),
        example=seed_example(model.currency, language),
        warnings=tuple(p.one_line() for p in model.warnings),
        notes=model.notes,
        inputs=tuple(Cell(f"{i.name} (sha256 {i.sha256[:12]}…)") for i in model.inputs),
    )
