"""Values a file does not carry: unknown (NaN) for its rows, never 0, and said why.

A recognised platform export may lack a value the canonical results table has: a Google
Ads account that tracks leads has no `Conv. value` column, a CRM deal report has no
contacts. Its rows are still read (their clicks, conversions and spend count); the
missing value is NaN, which every later step treats as unknown (see `aggregate`), and
each such table gets one warning that names the value, the reason and the rows.
"""

from __future__ import annotations

from roi_reports.i18n import N_
from roi_reports.ingest.raw import RawTable
from roi_reports.validation import Problem

# canonical results column → why a table without it leaves the value unknown (a msgid:
# reports translate it), and what stays empty for its rows
UNKNOWN_WITHOUT_COLUMN: dict[str, tuple[str, str]] = {
    "revenue": (
        N_("no conversion value column"),
        "revenue, ROI, ROAS and average ticket leave these rows out (never 0); export the "
        "conversion value column too, or add a file (e.g. from the CRM) with their revenue",
    ),
    "contacts": (
        N_("no contacts column"),
        "conversion rate and cost per contact leave these rows out (never 0); their "
        "conversions, revenue and cost still count",
    ),
}


def unknown_value_warnings(table: RawTable, rows: int) -> list[Problem]:
    """One warning per value a results table does not carry, e.g. `no conversion value
    column: revenue unknown for 12 rows`, at the table's header row."""
    if table.kind != "results" or rows == 0:
        return []
    return [
        Problem(
            table.file,
            table.sheet,
            table.header_row,
            column,
            None,
            f"{column} unknown",
            f"{reason}: {column} unknown for {rows} row{'s' if rows != 1 else ''}; {effect}",
            "warning",
        )
        for column, (reason, effect) in UNKNOWN_WITHOUT_COLUMN.items()
        if column not in table.frame
    ]
