"""Display rows for the PDF templates: every text a report prints, built from a ReportModel.

Templates only loop and print; all numbers become text here through `formatting`, so a
PDF shows exactly what the Excel workbook shows. Values stay plain strings (escaped by
jinja's autoescape when printed); charts are positions and texts (`charts`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import pandas as pd

from roi_reports.config import Config
from roi_reports.i18n import N_, direction, gettext_for
from roi_reports.metrics import KEY_METRICS, METRICS, MetricContext, compute_all
from roi_reports.org import NO_REGION, NO_TEAM
from roi_reports.periods import month_index, period_label
from roi_reports.reports import charts
from roi_reports.reports.charts import BarChart, LineChart
from roi_reports.reports.formatting import (
    format_change,
    format_day,
    format_metric,
    format_metric_change,
    format_value,
    localise_digits,
    shorten,
    target_level,
    target_status,
)
from roi_reports.reports.model import SCOPE_COST_KEYS, ReportModel, trend_window
from roi_reports.reports.sanity import describe_flag
from roi_reports.reports.unknown_notes import report_unknown_notes, total_name
from roi_reports.validation import Problem, one_line_for_rows

KPI_METRICS = KEY_METRICS
CHANNEL_COLUMNS = KEY_METRICS
TEAM_COLUMNS = ("contacts", "conversions", "revenue", "cost", "roi_pct", "roas", "cpa")
RANKED_COLUMNS = ("revenue", "cost", "roi_pct", "conversions", "conversion_rate_pct")
CAMPAIGN_COLUMNS = ("cost", "revenue", "roi_pct", "roas", "conversions")
# group rows a table shows (the highest cost first): the workbook has every row, and a
# report stays short enough to read and to render (issue 20: a scope report in 0.3 CPU-s)
TABLE_ROWS = 12
SUMMARY_TABLE_ROWS = 30
NAME_CHARS = 60  # a longer channel, employee or campaign name ends in "…" (the workbook has it)
LINE_CHARS = 300  # a data-quality line quotes a cell: at most this long
LISTED = 10  # data-quality lines and sanity flags a report lists before "and N more"
ROWS_A_LINE = 10  # rows one data-quality line names when the same finding repeats
LONGEST_CELL = 40  # characters: a longer text wraps within its column
CELL_PADDING = 2  # characters' worth of padding per column
MAX_BARS = 12  # a bar chart of more groups shows the highest and lowest six
DEFINED_METRICS = (*KPI_METRICS, "investment", "cost_per_contact", "avg_ticket")
SCOPE_TITLES = {
    "channel": N_("Channel"),
    "employee": N_("Employee"),
    "campaign": N_("Campaign"),
    "team": N_("Team"),
}
KEY_TITLES = {**SCOPE_TITLES, "month": N_("Month"), "region": N_("Region")}


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
    more: str = ""  # the rows left out, e.g. "and 30 more; see the workbook"

    @property
    def widths(self) -> tuple[float, ...]:
        """Column widths in % of the table, from the longest text in each column (a header
        may wrap onto two lines): the browser's automatic table layout, estimated here so
        the PDF renderer lays each table out once instead of measuring every cell."""
        longest = [
            max(max(map(len, cell.text.split()), default=0), -(-len(cell.text) // 2))
            for cell in self.headers  # a header wraps onto two lines at most
        ]
        for row in self.rows:
            longest = [max(n, len(cell.text)) for n, cell in zip(longest, row, strict=True)]
        weights = [min(n, LONGEST_CELL) + CELL_PADDING for n in longest]
        total = sum(weights)
        return tuple(round(100 * w / total, 2) for w in weights)


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
    charts: tuple[BarChart | LineChart, ...]
    tables: tuple[Table, ...]
    targets: Table
    definitions: tuple[Definition, ...]
    example: str
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    inputs: tuple[Cell, ...] = field(default_factory=tuple)
    flags: tuple[str, ...] = ()  # sanity flags, shown at the top
    unknowns: tuple[str, ...] = ()  # unknown and partial figures, shown at the top too
    page_numbers: str = "decimal"  # the CSS counter style of "Page n of m" (persian digits)
    warnings_more: str = ""  # "and 39,989 more; see the workbook" under the first warnings
    flags_more: str = ""
    unknowns_more: str = ""


def _name(value: Any, language: str = "en") -> str:
    if value is None or pd.isna(value):
        return gettext_for(language)(N_("(unassigned)"))  # pipeline.UNASSIGNED
    if value in (NO_TEAM, NO_REGION):
        return gettext_for(language)(value)
    return shorten(str(value), NAME_CHARS)


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


def more_text(count: int, language: str) -> str:
    """The line under a cut list: how many rows the PDF leaves to the workbook."""
    if count <= 0:
        return ""
    _ = gettext_for(language)
    return _("and {count} more; see the workbook").format(
        count=format_value(count, "count", "", language)
    )


def largest_rows(table: pd.DataFrame, limit: int | None) -> tuple[pd.DataFrame, int]:
    """At most `limit` rows: those with the highest cost (then revenue), in the table's
    own order; and how many were left out."""
    if limit is None or len(table) <= limit:
        return table, 0
    ranked = table.sort_values(["cost", "revenue"], ascending=False, kind="stable")
    return table.loc[sorted(ranked.index[:limit])], len(table) - limit


def metric_table(
    model: ReportModel,
    table: pd.DataFrame,
    key: str,
    columns: Sequence[str],
    caption: str,
    language: str,
    limit: int | None = None,
) -> Table:
    """One row per group: the key's name, then each metric formatted by its unit. With a
    `limit`, the groups with the highest cost; the line under the table says how many more."""
    _ = gettext_for(language)
    headers = (Cell(_(KEY_TITLES[key])), *(Cell(_(METRICS[c].label), "num") for c in columns))
    table, left_out = largest_rows(table, limit)
    rows = []
    # the printed columns only: a model's table has some 67, and to_dict costs by column
    for record in table[list(dict.fromkeys([key, *columns]))].to_dict("records"):
        cells = [Cell(_name(record[key], language))]
        for column in columns:
            text = format_metric(column, record[column], model.currency, language)
            css = _roi_css(model, record[column]) if column == "roi_pct" else "num"
            cells.append(Cell(text, css))
        rows.append(tuple(cells))
    return Table(
        caption, headers, tuple(rows), _("No data for this period."), more_text(left_out, language)
    )


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
                Cell(target_level(str(target["dimension"]), _)),
                Cell(_("all") if target["dimension"] == "total" else _name(target["name"])),
                Cell(_(METRICS[metric].label)),
                Cell(format_metric(metric, target["target"], model.currency, language), "num"),
                Cell(format_metric(metric, target["actual"], model.currency, language), "num"),
                Cell(
                    format_value(target["attainment_pct"], "percent", model.currency, language),
                    "num",
                ),
                Cell(
                    target_status(status, _),
                    {"met": "good", "behind": "bad"}.get(status, ""),
                ),
            )
        )
    return Table(
        _("Targets and attainment"), headers, tuple(rows), _("No targets for this period.")
    )


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


def trend_chart(model: ReportModel, fiscal_year_start: int, language: str) -> LineChart:
    """Revenue against cost by month, in the reporting currency."""
    _ = gettext_for(language)
    months = _month_labels(model, fiscal_year_start)
    by_month = model.monthly_total.assign(month=model.monthly_total["month"].astype(str))
    by_month = by_month.set_index("month").reindex(months)  # months without data → NaN gaps
    revenue, cost = _(METRICS["revenue"].label), _(METRICS["cost"].label)
    return charts.line_chart(
        _("Revenue vs cost by month"),
        [localise_digits(month, language) for month in months],
        {
            revenue: by_month["revenue"].astype("float64").tolist(),
            cost: by_month["cost"].astype("float64").tolist(),
        },
        {revenue: charts.REVENUE_COLOUR, cost: charts.COST_COLOUR},
        axis=model.currency,
        # money ticks show whole units (the axis names the currency) to stay short
        tick_fmt=lambda value: format_value(value, "count", model.currency, language),
    )


def roi_chart(model: ReportModel, language: str) -> BarChart:
    """ROI % per channel (per employee in a channel's own report), at most MAX_BARS bars."""
    _ = gettext_for(language)
    key, table = ("channel", model.by_channel)
    if model.scope.kind in ("channel", "team"):
        key, table = ("employee", model.by_employee)
    named = table[table[key].notna()]
    names = [str(n) for n in named[key]]
    labels, values = charts.highest_and_lowest(
        names, named["roi_pct"].astype("float64").tolist(), MAX_BARS
    )
    note = ""
    if key == "employee" and (unnamed := _investment_of_no_employee(named, table)):
        note = _(
            "ROI is undefined for every employee: their investment is 0, while {amount} is "
            "in cost rows without an employee (set shared_costs in [report] to share it out)."
        ).format(amount=format_value(unnamed, "money", model.currency, language))
    elif len(labels) < len(names):
        note = _(
            "{shown} of {count}: the highest and lowest ROI; the workbook has all of them."
        ).format(shown=_count(len(labels), language), count=_count(len(names), language))
    hurdle = model.hurdle_roi_pct
    titles = {"channel": _("ROI % by channel"), "employee": _("ROI % by employee")}
    return charts.bar_chart(
        titles[key],
        labels,
        values,
        axis=_("ROI (%)"),
        fmt=lambda value: format_metric("roi_pct", value, model.currency, language),
        reference=hurdle,
        reference_label=""
        if hurdle is None
        else _("hurdle {value}").format(value=format_value(hurdle, "percent", "", language)),
        note=note,
    )


LEFT_OUT = {
    "channel": N_(
        "{group}: cost and the figures made from it (net profit, ROI, ROAS, CPA) count only "
        "cost rows that name a channel; {amount} of this period's costs is in rows naming "
        "none and is left out (set shared_costs in [report] to share it out)."
    ),
    "campaign": N_(
        "{group}: cost and the figures made from it (net profit, ROI, ROAS, CPA) count only "
        "cost rows that name a campaign; {amount} of this period's costs is in rows naming "
        "none and is left out (set shared_costs in [report] to share it out)."
    ),
    "employee": N_(
        "{group}: cost and the figures made from it (net profit, ROI, ROAS, CPA) count only "
        "cost rows that name an employee; {amount} of this period's costs is in rows naming "
        "none and is left out (set shared_costs in [report] to share it out)."
    ),
}


# with shared costs, what is left out is a shared cost no group was there to take
NOT_SHARED = {
    "channel": N_(
        "{group}: cost and the figures made from it (net profit, ROI, ROAS, CPA) leave out "
        "{amount} of this period's costs in rows naming no channel, which could not be "
        "shared out: no channel has rows of its own within the month or period they are for."
    ),
    "campaign": N_(
        "{group}: cost and the figures made from it (net profit, ROI, ROAS, CPA) leave out "
        "{amount} of this period's costs in rows naming no campaign, which could not be "
        "shared out: no campaign has rows of its own within the month or period they are for."
    ),
    "employee": N_(
        "{group}: cost and the figures made from it (net profit, ROI, ROAS, CPA) leave out "
        "{amount} of this period's costs in rows naming no employee, which could not be "
        "shared out: no employee has rows of its own within the month or period they are for."
    ),
}


def _left_out_line(model: ReportModel, language: str, shared_costs: str) -> str:
    """A scope's figures count only the cost rows that name its kind of group, and
    those shared out to it (`shared_costs`, [report])."""
    _ = gettext_for(language)
    amount = format_value(model.cost_left_out, "money", model.currency, language)
    templates = LEFT_OUT if shared_costs == "none" else NOT_SHARED
    template = templates[SCOPE_COST_KEYS[model.scope.kind]]
    return _(template).format(group=total_name(model, _), amount=amount)


def _investment_of_no_employee(named: pd.DataFrame, table: pd.DataFrame) -> float:
    """The investment of the rows without an employee when it is why no named employee has
    an ROI (every one invested 0: ROI undefined); otherwise 0, and the chart needs no note.
    (A team's scope holds only its employees' rows: no such investment, no note.)"""
    if named.empty or named["roi_pct"].notna().any() or (named["investment"] != 0).any():
        return 0.0
    unnamed = float(table.loc[table["employee"].isna(), "investment"].sum())
    return unnamed if unnamed > 0 else 0.0


def _count(number: int, language: str) -> str:
    return format_value(number, "count", "", language)


@lru_cache(maxsize=16)
def seed_example(currency: str, language: str) -> str:
    """The Finnish seed's worked example, computed by the metric registry itself: the same
    text in every report of a currency and language, so a process works it out once (it
    runs the registry on a one-row frame: 5 ms, 2 % of a report)."""
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
    return f"{_(SCOPE_TITLES[model.scope.kind])}: {shorten(model.scope.name or '', NAME_CHARS)}"


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
    limit = SUMMARY_TABLE_ROWS if model.scope.kind == "all" else TABLE_ROWS
    unknown = report_unknown_notes(model, _, campaigns=False)
    if round(model.cost_left_out, 2) != 0:  # a net credit is left out as well
        unknown.insert(0, _left_out_line(model, language, settings.shared_costs))
    warnings, warnings_left = warning_lines(model.warnings)
    tables = [
        metric_table(
            model, model.by_channel, "channel", CHANNEL_COLUMNS, _("By channel"), language, limit
        ),
        *ranked_tables(model, language),
        metric_table(
            model,
            model.by_campaign,
            "campaign",
            CAMPAIGN_COLUMNS,
            _("By campaign"),
            language,
            limit,
        ),
    ]
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
        warnings=warnings,
        warnings_more=more_text(warnings_left, language),
        notes=model.notes,
        inputs=tuple(Cell(f"{i.name} (sha256 {i.sha256[:12]}…)") for i in model.inputs),
        flags=tuple(
            describe_flag(replace(f, name=shorten(f.name, NAME_CHARS)), model.currency, language)
            for f in model.flags[:LISTED]
        ),
        flags_more=more_text(len(model.flags) - LISTED, language),
        unknowns=tuple(shorten(line, LINE_CHARS) for line in unknown[:LISTED]),
        unknowns_more=more_text(len(unknown) - LISTED, language),
        page_numbers="persian" if language == "fa" else "decimal",
    )


def warning_lines(problems: Sequence[Problem]) -> tuple[tuple[str, ...], int]:
    """The data-quality lines a report lists (at most LISTED), and how many warnings they
    leave out. Consecutive warnings that differ only in their row share a line naming up
    to ROWS_A_LINE rows; as they come in reading order, the list still goes file by file,
    sheet by sheet, row by row, and a page shows ten times as many of them."""
    runs: list[list[Problem]] = []
    for problem in problems:
        run = runs[-1] if runs else None
        if run and len(run) < ROWS_A_LINE and run[0].same_but_row(problem):
            run.append(problem)
        elif len(runs) == LISTED:
            break
        else:
            runs.append([problem])
    lines = tuple(shorten(one_line_for_rows(run), LINE_CHARS) for run in runs)
    return lines, len(problems) - sum(map(len, runs))


def _period_text(model: ReportModel, language: str) -> str:
    start, end = (format_day(d, language) for d in (model.period.start, model.period.end))
    return f"{localise_digits(model.period.label, language)} ({start} – {end})"
