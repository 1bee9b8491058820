"""The data sheets of the summary workbook: breakdowns, trend, costs, targets, quality, terms.

Each function writes one worksheet from the report model; nothing here computes a metric.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from roi_reports.i18n import N_, Gettext
from roi_reports.metrics import METRICS
from roi_reports.reports.annualised import (
    ANNUALISED,
    WITHHELD,
    annualised_shown,
    columns_note,
    definitions_note,
)
from roi_reports.reports.excel_style import (
    BAD_FILL,
    BAD_FONT,
    GOOD_FILL,
    GOOD_FONT,
    Styles,
    write_text,
)
from roi_reports.reports.excel_tables import (
    TOTAL_LABEL,
    Column,
    TableArea,
    colour_against_hurdle,
    comparison_columns,
    data_bar,
    finish_table,
    key_column,
    metric_column,
    print_setup,
    withhold,
    write_table,
)
from roi_reports.reports.formatting import target_level, target_status
from roi_reports.reports.model import ReportModel
from roi_reports.reports.sanity import describe_flag
from roi_reports.reports.unknown_notes import report_unknown_notes
from roi_reports.validation import PROBLEM_COLUMNS

# (metric, relative change?) shown beside each group's values for the previous period
COMPARED = (
    ("cost", True),
    ("revenue", True),
    ("net_profit", True),
    ("roi_pct", False),
    ("roas", False),
)
UNIT_TEXT = {
    "money": N_("money ({currency})"),
    "percent": N_("percent"),
    "ratio": N_("ratio (×)"),
    "count": N_("count"),
}


def sheet_title(model: ReportModel) -> str:
    return f"{model.title} — {model.period.label}"


def hurdle(model: ReportModel) -> float:
    """ROI is coloured against the configured hurdle, or against break-even (0 %)."""
    return model.hurdle_roi_pct if model.hurdle_roi_pct is not None else 0.0


def named_first(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """Named groups first, the unassigned group (shared costs) last, so charts skip it."""
    named = table[key].notna()
    return pd.concat([table[named], table[~named]]).reset_index(drop=True)


def breakdown_columns(
    model: ReportModel, table: pd.DataFrame, key: str, t: Gettext = str
) -> list[Column]:
    columns = [key_column(key, key.capitalize()), *(metric_column(name) for name in METRICS)]
    if not annualised_shown(model.period.days):
        columns = withhold(columns, ANNUALISED, WITHHELD)
    if "target_attainment_pct" in table and table["target_attainment_pct"].notna().any():
        columns.append(Column("target_attainment_pct", N_("Target attainment %"), "percent"))
    for name, relative in COMPARED:
        if f"{name}_prev" in table:
            columns.extend(comparison_columns(name, model.previous.label, relative, t))
    return columns


def write_breakdown(
    sheet: Worksheet, styles: Styles, model: ReportModel, table: pd.DataFrame, key: str
) -> TableArea:
    """One row per channel, employee or campaign, and the engine's total below."""
    frame = named_first(table, key)
    columns = breakdown_columns(model, table, key, styles.t)
    total = {str(k): v for k, v in model.total.iloc[0].items()}
    area = write_table(sheet, styles, frame, columns, total=total)
    finish_table(sheet, area, sheet_title(model))
    colour_against_hurdle(sheet, styles, area, "roi_pct", hurdle(model), area.last_row + 1)
    data_bar(sheet, area, "revenue")
    if any(c.withheld for c in columns):
        sheet.write_string(area.last_row + 3, 0, columns_note(styles.t))
    return area


def write_by_month(sheet: Worksheet, styles: Styles, model: ReportModel) -> TableArea:
    """Channel × month over the trend window; each month also has its all-channel total."""
    total_label = styles.t(TOTAL_LABEL)
    totals = model.monthly_total.assign(channel=total_label, _order=2)
    rows = model.by_month.assign(_order=model.by_month["channel"].isna().astype(int))
    frame = pd.concat([rows, totals], ignore_index=True)
    frame = frame.sort_values(["month", "_order", "channel"], kind="stable", na_position="last")
    columns = [key_column("month", N_("Month")), key_column("channel", N_("Channel"))]
    # each row is a month: its annualised ROI would compound a month (see annualised.py)
    columns += withhold([metric_column(name) for name in METRICS], ANNUALISED, WITHHELD)
    area = write_table(sheet, styles, frame, columns)
    finish_table(sheet, area, sheet_title(model), freeze_columns=2)
    sheet.write_string(area.last_row + 2, 0, columns_note(styles.t))
    colour_against_hurdle(sheet, styles, area, "roi_pct", hurdle(model), area.last_row)
    if area.last_row >= area.first_row:
        sheet.conditional_format(
            area.first_row,
            0,
            area.last_row,
            len(columns) - 1,
            {
                "type": "formula",
                "criteria": f'=$B{area.first_row + 1}="{total_label}"',
                "format": styles.get(bold=True),
            },
        )
    return area


def write_costs(sheet: Worksheet, styles: Styles, model: ReportModel) -> TableArea:
    columns = [
        key_column("category", N_("Category"), missing=N_("(uncategorised)")),
        metric_column("cost"),
        metric_column("investment"),
    ]
    total = {"cost": model.kpi("cost"), "investment": model.kpi("investment")}
    area = write_table(sheet, styles, model.costs_by_category, columns, total=total)
    finish_table(sheet, area, sheet_title(model), landscape=False)
    data_bar(sheet, area, "cost")
    return area


def write_targets(sheet: Worksheet, styles: Styles, model: ReportModel) -> TableArea:
    """Targets of the period; target and actual carry their own metric's unit per row."""
    targets = model.targets
    frame = targets.assign(
        metric_label=[styles.t(METRICS[m].label) for m in targets["metric"]],
        unit=[METRICS[m].unit for m in targets["metric"]],
        # the level and status in the workbook's language, as the PDF shows them
        dimension=targets["dimension"].map(lambda d: target_level(d, styles.t), na_action="ignore"),
        status=targets["status"].map(lambda s: target_status(s, styles.t), na_action="ignore"),
    )
    columns = [
        key_column("dimension", N_("Dimension"), missing=""),
        Column("name", N_("Name")),
        Column("metric_label", N_("Metric")),
        Column("target", N_("Target"), unit_from="unit"),
        Column("actual", N_("Actual"), unit_from="unit"),
        Column("attainment_pct", N_("Attainment %"), "percent"),
        Column("status", N_("Status")),
    ]
    area = write_table(sheet, styles, frame, columns)
    finish_table(sheet, area, sheet_title(model))
    if not annualised_shown(model.period.days):
        _withhold_annualised_actuals(sheet, styles, area, list(targets["metric"]))
    if area.last_row >= area.first_row:
        col = area.col("status")
        for status, fill, font in (("met", GOOD_FILL, GOOD_FONT), ("behind", BAD_FILL, BAD_FONT)):
            sheet.conditional_format(
                area.first_row,
                col,
                area.last_row,
                col,
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{target_status(status, styles.t)}"',
                    "format": styles.get(bg_color=fill, font_color=font),
                },
            )
    if targets.empty:
        sheet.write_string(area.first_row + 1, 0, styles.t("No targets for this period."))
    return area


def _withhold_annualised_actuals(
    sheet: Worksheet, styles: Styles, area: TableArea, metrics: list[str]
) -> None:
    """A target on annualised ROI in a period under a year: its actual, attainment and
    status would compound the period, so they read "–" (the target stays)."""
    for offset, metric in enumerate(metrics):
        if metric in ANNUALISED:
            for field in ("actual", "attainment_pct", "status"):
                cell = (area.first_row + offset, area.col(field))
                write_text(sheet, styles, *cell, WITHHELD, align="right")


def write_data_quality(sheet: Worksheet, styles: Styles, model: ReportModel) -> TableArea:
    """Warnings and skipped rows from ingest, notes, and the inputs with their hashes."""
    warnings = pd.DataFrame([asdict(p) for p in model.warnings], columns=list(PROBLEM_COLUMNS))
    columns = [
        Column("severity", N_("Severity")),
        Column("file", N_("File")),
        Column("sheet", N_("Sheet")),
        Column("row", N_("Row"), "count"),
        Column("column", N_("Column")),
        Column("value", N_("Value")),
        Column("rule", N_("Rule")),
        Column("hint", N_("How to fix")),
    ]
    area = write_table(sheet, styles, warnings, columns)
    finish_table(sheet, area, sheet_title(model), freeze_columns=0)
    row = area.last_row + 2
    if warnings.empty:
        sheet.write_string(row - 1, 0, styles.t("No warnings."))
    sheet.write_string(row, 0, styles.t("Unknown and partial figures"), styles.section())
    unknown = report_unknown_notes(model, styles.t)
    unknown_rows = pd.DataFrame({"line": unknown or [styles.t("(none)")]})
    write_table(sheet, styles, unknown_rows, [Column("line", N_("What is not known"))], top=row + 1)
    row += len(unknown_rows) + 3
    sheet.write_string(row, 0, styles.t("Worth a second look"), styles.section())
    flags = [describe_flag(f, model.currency, styles.language) for f in model.flags]
    flag_rows = pd.DataFrame({"flag": flags or [styles.t("(none)")]})
    write_table(sheet, styles, flag_rows, [Column("flag", N_("Sanity check"))], top=row + 1)
    row += len(flag_rows) + 3
    sheet.write_string(row, 0, styles.t("Notes"), styles.section())
    notes = pd.DataFrame({"note": list(model.notes) or [styles.t("(none)")]})
    write_table(sheet, styles, notes, [Column("note", N_("Note"))], top=row + 1)
    row += len(notes) + 3
    sheet.write_string(row, 0, styles.t("Inputs"), styles.section())
    inputs = pd.DataFrame([asdict(i) for i in model.inputs], columns=["name", "sha256", "size"])
    input_columns = [
        Column("name", N_("File")),
        Column("sha256", "SHA-256"),
        Column("size", N_("Size (bytes)"), "count"),
    ]
    write_table(sheet, styles, inputs, input_columns, top=row + 1)
    sheet.set_column(0, 1, 40)  # the three tables share columns A–B; fit names and hashes
    sheet.set_column(7, 7, 60)
    return area


def definitions_frame(currency: str, t: Gettext = str) -> pd.DataFrame:
    """Every metric from the registry the engine uses, plus the derived report columns."""
    rows = [
        {
            "field": m.name,
            "label": t(m.label),
            "unit": t(UNIT_TEXT.get(m.unit, m.unit)).format(currency=currency),
            "formula": t(m.formula),
            "null_rule": t(m.null_rule),
            "better": t("higher") if m.higher_is_better else t("lower"),
        }
        for m in METRICS.values()
    ]
    derived = [
        ("target_attainment_pct", "Target attainment %", "percent", "actual / target × 100"),
        ("<metric>_prev", "<metric> <previous period>", "as the metric", "the previous period"),
        ("<metric>_change", "<metric> change", "as the metric", "this period − previous"),
        ("<metric>_change_pct", "<metric> change %", "percent", "change / |previous| × 100"),
    ]
    for field, label, unit, formula in derived:
        rows.append(
            {"field": field, "label": label, "unit": unit, "formula": formula}
            | {"null_rule": "null when an input is null or the divisor is 0", "better": ""}
        )
    return pd.DataFrame(rows)


def write_definitions(sheet: Worksheet, styles: Styles, model: ReportModel) -> TableArea:
    columns = [
        Column("label", N_("Metric")),
        Column("field", N_("Field")),
        Column("unit", N_("Unit")),
        Column("formula", N_("Formula")),
        Column("null_rule", N_("Empty when")),
        Column("better", N_("Better when")),
    ]
    area = write_table(sheet, styles, definitions_frame(model.currency, styles.t), columns)
    finish_table(sheet, area, sheet_title(model))
    row = area.last_row + 2
    for line in [*definition_notes(model, styles.t), definitions_note(styles.t)]:
        sheet.write_string(row, 0, line)
        row += 1
    print_setup(sheet, sheet_title(model))
    return area


def definition_notes(model: ReportModel, t: Gettext = str) -> list[str]:
    rule = (
        f"{model.hurdle_roi_pct:g} % (hurdle_roi_pct)"
        if model.hurdle_roi_pct is not None
        else t("0 % (break-even; set hurdle_roi_pct in roi-reports.toml to change it)")
    )
    return [
        t(
            "Ratios are computed after aggregation: totals rows are ratios of sums, "
            "never sums or averages of ratios."
        ),
        t(
            "An empty cell means the value is undefined (for example a division by zero); "
            "it is never a zero."
        ),
        t(
            "Unknown is not zero: revenue or contacts that a file does not carry (an ad "
            "export without conversion value, a CRM export without contacts) are unknown. "
            "A group whose results rows know none of them shows an empty cell; a group "
            "whose rows know some shows the sum of those, a partial figure that the Data "
            "quality sheet names with the rows and files it lacks."
        ),
        t(
            "Ratios of two results figures use only the rows that know both: the "
            "conversion rate counts the conversions of rows with contacts, the average "
            "ticket and break-even the conversions of rows with revenue; ROI, ROAS and "
            "cost per contact divide the known part by all costs."
        ),
        t("ROI is green at or above {rule} and red below it.").format(rule=rule),
        t(
            "Money is in {currency}; amounts in other currencies were converted with "
            "the fx_rates sheet."
        ).format(currency=model.currency),
    ]
