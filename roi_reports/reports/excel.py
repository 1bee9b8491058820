"""The Excel summary workbook (SPEC §8): `roi-summary-<period>.xlsx`.

Written with xlsxwriter (about 3× faster than openpyxl for a formatted summary) to a temp
file beside the target, then renamed, so a crash never leaves half a workbook. The same
model always gives the same cells: the document date is the period's last day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pandas as pd
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.workbook import Workbook

from roi_reports.errors import RoiReportsError
from roi_reports.fsutil import atomic_path
from roi_reports.i18n import N_
from roi_reports.org import MISSING_LABEL
from roi_reports.reports.excel_sheets import (
    write_breakdown,
    write_by_month,
    write_costs,
    write_data_quality,
    write_definitions,
    write_targets,
)
from roi_reports.reports.excel_style import Styles
from roi_reports.reports.excel_summary import write_summary
from roi_reports.reports.model import ReportModel

# English names are the msgids; translations stay ≤ 31 characters without []:*?/\
SHEET_NAMES = (
    N_("Summary"),
    N_("By channel"),
    N_("By employee"),
    N_("By campaign"),
    N_("By month"),
    N_("Costs by category"),
    N_("Targets"),
    N_("Data quality"),
    N_("Definitions"),
)
# after "By campaign" when the inputs have an employees sheet (with teams, with regions)
ORG_SHEET_NAMES = {"team": N_("By team"), "region": N_("By region")}
# Input text must never turn into formulas, links or numbers.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}


def summary_file_name(model: ReportModel) -> str:
    return f"roi-summary-{model.period.label}.xlsx"


def write_workbook(model: ReportModel, path: Path, language: str = "en") -> Path:
    """Write the summary workbook for `model` to `path` atomically and return `path`.

    `language` chooses the number formats (decimal and currency placement).
    """
    path = Path(path)
    try:
        with atomic_path(path) as temp:
            build_workbook(model, temp, language)
    except (OSError, XlsxWriterException) as exc:
        raise _write_error(path, exc) from exc
    return path


def _write_error(path: Path, exc: Exception) -> RoiReportsError:
    return RoiReportsError(
        f"cannot write the workbook {path} ({exc}); check that the folder is writable "
        "and the file is not open in Excel"
    )


def build_workbook(model: ReportModel, path: Path, language: str = "en") -> None:
    """Every sheet of SHEET_NAMES, in that order, written to `path` (not atomically)."""
    workbook = Workbook(str(path), WORKBOOK_OPTIONS)
    workbook.set_properties(
        {
            "title": f"{model.title} — {model.period.label}",
            "subject": f"ROI summary {model.period.label} ({model.scope.label})",
            "author": "roi-reports",
            "created": datetime.combine(model.period.end, time(), UTC),
        }
    )
    styles = Styles(workbook, model.currency, language)
    org = org_tables(model)
    names = list(SHEET_NAMES)
    names[4:4] = [ORG_SHEET_NAMES[key] for key in org]
    sheets = {name: workbook.add_worksheet(styles.t(name)) for name in names}
    channels = write_breakdown(sheets["By channel"], styles, model, model.by_channel, "channel")
    write_breakdown(sheets["By employee"], styles, model, model.by_employee, "employee")
    write_breakdown(sheets["By campaign"], styles, model, model.by_campaign, "campaign")
    for key, table in org.items():
        shown = table.assign(
            **{key: table[key].replace({MISSING_LABEL[key]: styles.t(MISSING_LABEL[key])})}
        )
        write_breakdown(sheets[ORG_SHEET_NAMES[key]], styles, model, shown, key)
    write_summary(workbook, sheets["Summary"], styles, model, (styles.t("By channel"), channels))
    write_by_month(sheets["By month"], styles, model)
    write_costs(sheets["Costs by category"], styles, model)
    write_targets(sheets["Targets"], styles, model)
    write_data_quality(sheets["Data quality"], styles, model)
    write_definitions(sheets["Definitions"], styles, model)
    sheets["Summary"].activate()
    workbook.close()


def org_tables(model: ReportModel) -> dict[str, pd.DataFrame]:
    """The team and region breakdowns the model has (none without an employees sheet)."""
    found = {"team": model.by_team, "region": model.by_region}
    return {key: table for key, table in found.items() if table is not None}
