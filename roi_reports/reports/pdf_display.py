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
from roi_reports.i18n import N_, direction, gettext_for
from roi_reports.metrics import KEY_METRICS, METRICS, MetricContext, compute_all
from roi_reports.org import NO_REGION, NO_TEAM
from roi_reports.periods import month_index, period_label
from roi_reports.reports import charts
from roi_reports.reports.formatting import (
    format_change,
    format_day,
    format_metric,
    format_metric_change,
    format_value,
    localise_digits,
)
from roi_reports.reports.model import ReportModel, trend_window
from roi_reports.reports.sanity import describe_flag

KPI_METRICS = KEY_METRICS
CHANNEL_COLUMNS = KEY_METRICS
RANKED_COLUMNS = ("revenue", "cost", "roi_pct", "conversions", "conversion_rate_pct")
CAMPAIGN_COLUMNS = ("cost", "revenue", "roi_pct", "roas", "conversions")
TEAM_COLUMNS = ("contacts", "conversions", "revenue", "cost", "roi_pct", "roas", "cpa")
DEFINED_METRICS = (*KPI_METRICS, "investment", "cost_per_contact", "avg_ticket")
SCOPE_TITLES = {
    "channel": N_("Channel"),
    "employee": N_("Employee"),
    "campaign": N_("Campaign"),
    "team": N_("Team"),
}
KEY_TITLES = {**SCOPE_TITLES, "month": N_("Month"), "region": N_("Region")}
STATUS_TEXTS = {"met": N_("met"), "behind": N_("behind"), "no data": N_("no data")}
LEVEL_TEXTS = {
    "total": N_("total"),
    "channel": N_("channel"),
    "employee": N_("employee"),
    "campaign": N_("campaign"),
}


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
    latest_entry: str
    created_iso: str  # the documents' date: the period's last day, never the run time
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
    flags: tuple[str, ...] = ()  # sanity flags, shown at the top
    page_numbers: str = "decimal"  # the CSS counter style of "Page n of m" (persian digits)


def _name(value: Any, language: str = "en") -> str:
    if value is None or pd.isna(value):
        return gettext_for(language)(N_("(unassigned)"))  # pipeline.UNASSIGNED
    if value in (NO_TEAM, NO_REGION):
        return gettext_for(language)(value)
    return str(value)


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
    change_text = format_metric_change(metric, change, model.currency, language)
    if unit != "percent" and not pd.isna(row[f"{metric}_change_pct"]):
        relative = format_change(row[f"{metric}_change_pct"], "percent", model.currency, language)
        change_text = f"{change_text} ({relative})"
    arrow, tone = _tone(metric, change)
    _ = gettext_for(language)
    team = None
    if model.team_total is not None:
        value = format_metric(metric, model.team_total.iloc[0][metric], model.currency, language)
        whole = _("Company: %(value)s") if model.scope.kind == "team" else _("Team: %(value)s")
        team = whole % {"value": value}
    return KpiCard(
        label=_(METRICS[metric].label),
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
    _ = gettext_for(language)
    headers = (Cell(_(KEY_TITLES[key])), *(Cell(_(METRICS[c].label), "num") for c in columns))
    rows = []
    for record in table.to_dict("records"):
        cells = [Cell(_name(record[key], language))]
        for column in columns:
            text = format_metric(column, record[column], model.currency, language)
            css = _roi_css(model, record[column]) if column == "roi_pct" else "num"
            cells.append(Cell(text, css))
        rows.append(tuple(cells))
    return Table(caption, headers, tuple(rows), _("No data for this period."))


def targets_table(model: ReportModel, language: str) -> Table:
    _ = gettext_for(language)
    names = [_("Level"), _("Name"), _("Metric"), _("Target"), _("Actual"), _("Attainment")]
    names.append(_("Status"))
    headers = tuple(Cell(name, "num" if 3 <= i <= 5 else "") for i, name in enumerate(names))
    rows = []
    for target in model.targets.to_dict("records"):
        metric = str(target["metric"])
        status = str(target["status"])
        rows.append(
            (
                Cell(_(LEVEL_TEXTS.get(str(target["dimension"]), str(target["dimension"])))),
                Cell(_("all") if target["dimension"] == "total" else _name(target["name"])),
                Cell(_(METRICS[metric].label)),
                Cell(format_metric(metric, target["target"], model.currency, language), "num"),
                Cell(format_metric(metric, target["actual"], model.currency, language), "num"),
                Cell(
                    format_value(target["attainment_pct"], "percent", model.currency, language),
                    "num",
                ),
                Cell(
                    _(STATUS_TEXTS.get(status, status)),
                    {"met": "good", "behind": "bad"}.get(status, ""),
                ),
            )
        )
    return Table(
        _("Targets and attainment"), headers, tuple(rows), _("No targets for this period.")
    )


def team_table(model: ReportModel, language: str) -> Table | None:
    """A scoped report's own figures beside the whole team's (ratios are the team's ratios)."""
    if model.team_total is None:
        return None
    _ = gettext_for(language)
    own, team = model.total.iloc[0], model.team_total.iloc[0]
    whole = _("Company") if model.scope.kind == "team" else _("Team")
    headers = (Cell(_("Metric")), Cell(model.scope.name or "", "num"), Cell(whole, "num"))
    rows = tuple(
        (
            Cell(_(METRICS[m].label)),
            Cell(format_metric(m, own[m], model.currency, language), "num"),
            Cell(format_metric(m, team[m], model.currency, language), "num"),
        )
        for m in TEAM_COLUMNS
    )
    caption = (
        _("Compared with the company")
        if model.scope.kind == "team"
        else _("Compared with the team")
    )
    return Table(caption, headers, rows, _("No data for this period."))


def ranked_tables(model: ReportModel, language: str) -> tuple[Table, ...]:
    """Top and bottom employees by ROI, when there are at least two to compare; a team's
    report lists every member instead, and the summary its teams and regions."""
    _ = gettext_for(language)
    if model.scope.kind == "team":
        members = _("Team members")
        return (
            metric_table(model, model.by_employee, "employee", TEAM_COLUMNS, members, language),
        )
    org = [(model.by_team, "team", _("By team")), (model.by_region, "region", _("By region"))]
    if model.scope.kind == "all":
        tables = [
            metric_table(model, t, k, TEAM_COLUMNS, c, language) for t, k, c in org if t is not None
        ]
        return (*tables, *top_and_bottom_tables(model, language))
    if model.scope.kind == "employee":
        return ()
    return top_and_bottom_tables(model, language)


def top_and_bottom_tables(model: ReportModel, language: str) -> tuple[Table, ...]:
    top, bottom = model.top_and_bottom(model.by_employee, "employee")
    if len(top) + len(bottom) < 2:
        return ()
    _ = gettext_for(language)
    return (
        metric_table(model, top, "employee", RANKED_COLUMNS, _("Top employees by ROI"), language),
        metric_table(
            model, bottom, "employee", RANKED_COLUMNS, _("Bottom employees by ROI"), language
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
    _ = gettext_for(language)
    months = _month_labels(model, fiscal_year_start)
    by_month = model.monthly_total.assign(month=model.monthly_total["month"].astype(str))
    by_month = by_month.set_index("month").reindex(months)  # months without data → NaN gaps
    revenue_label, cost_label = METRICS["revenue"].label, METRICS["cost"].label
    svg = charts.trend_chart_svg(
        [localise_digits(month, language) for month in months],
        by_month["revenue"].astype("float64").tolist(),
        by_month["cost"].astype("float64").tolist(),
        currency=model.currency,
        language=language,
        labels=(_(revenue_label), _(cost_label)),
    )
    return Chart(_("Revenue vs cost by month"), svg_data_uri(svg), _("Revenue and cost per month"))


def roi_chart(model: ReportModel, language: str) -> Chart:
    """ROI % per channel (per employee in a channel's own report)."""
    _ = gettext_for(language)
    key, table = ("channel", model.by_channel)
    if model.scope.kind in ("channel", "team"):
        key, table = ("employee", model.by_employee)
    named = table[table[key].notna()]
    hurdle = model.hurdle_roi_pct
    svg = charts.bar_chart_svg(
        [str(n) for n in named[key]],
        named["roi_pct"].astype("float64").tolist(),
        ylabel=_("ROI (%)"),
        unit="percent",
        currency=model.currency,
        language=language,
        reference=hurdle,
        reference_label=""
        if hurdle is None
        else _("hurdle {value}").format(value=format_value(hurdle, "percent", "", language)),
    )
    titles = {"channel": _("ROI % by channel"), "employee": _("ROI % by employee")}
    return Chart(
        titles[key], svg_data_uri(svg), _("Bar chart of {title}").format(title=titles[key])
    )


def seed_example(currency: str, language: str) -> str:
    """The Finnish seed's worked example, computed by the metric registry itself."""
    sums = pd.DataFrame(
        {"contacts": [50.0], "conversions": [15.0], "revenue": [1050.0], "gross_profit": [0.0]}
    ).assign(cost=500.0, investment=500.0)
    values = compute_all(sums, MetricContext("revenue", pd.Series([30]))).iloc[0]

    texts = {name: format_metric(name, values[name], currency, language) for name in values.index}
    _ = gettext_for(language)
    return _(
        "Example: cost {cost}, {contacts} contacts, {conversions} conversions, revenue "
        "{revenue} → net profit {net_profit}, ROI {roi_pct}, ROAS {roas}, conversion rate "
        "{conversion_rate_pct}, CPA {cpa}, break-even {break_even_conversions} conversions."
    ).format(**texts)


def _heading(model: ReportModel, language: str) -> str:
    _ = gettext_for(language)
    if model.scope.kind == "all":
        return _("Executive summary")
    return f"{_(SCOPE_TITLES[model.scope.kind])}: {model.scope.name}"


def _definition(name: str, language: str) -> Definition:
    _ = gettext_for(language)
    metric = METRICS[name]
    null_rule = "" if metric.null_rule == "never null" else _(metric.null_rule)
    return Definition(_(metric.label), _(metric.formula), null_rule)


def build_page(model: ReportModel, config: Config, logo: str | None = None) -> Page:
    """Every text and chart of one report, ready for the templates to print."""
    settings = config.report
    language = settings.language
    _ = gettext_for(language)
    tables = [
        metric_table(model, model.by_channel, "channel", CHANNEL_COLUMNS, _("By channel"), language)
    ]
    team = team_table(model, language)
    if team is not None:
        tables.insert(0, team)
    tables.extend(ranked_tables(model, language))
    tables.append(
        metric_table(
            model, model.by_campaign, "campaign", CAMPAIGN_COLUMNS, _("By campaign"), language
        )
    )
    return Page(
        lang=language,
        direction=direction(language),
        page_size=f"{settings.paper} {settings.orientation}",
        title=model.title,
        heading=_heading(model, language),
        period=_period_text(model, language),
        previous=localise_digits(model.previous.label, language),
        latest_entry=format_day(model.latest_entry, language),
        created_iso=model.period.end.isoformat(),
        logo=logo,
        kpis=tuple(_kpi_card(model, m, language) for m in KPI_METRICS),
        charts=(
            roi_chart(model, language),
            trend_chart(model, settings.fiscal_year_start, language),
        ),
        tables=tuple(tables),
        targets=targets_table(model, language),
        definitions=tuple(_definition(m, language) for m in DEFINED_METRICS),
        example=seed_example(model.currency, language),
        warnings=tuple(p.one_line() for p in model.warnings),
        notes=model.notes,
        inputs=tuple(Cell(f"{i.name} (sha256 {i.sha256[:12]}…)") for i in model.inputs),
        flags=tuple(describe_flag(f, model.currency, language) for f in model.flags),
        page_numbers="persian" if language == "fa" else "decimal",
    )


def _period_text(model: ReportModel, language: str) -> str:
    start, end = (format_day(d, language) for d in (model.period.start, model.period.end))
    return f"{localise_digits(model.period.label, language)} ({start} – {end})"
