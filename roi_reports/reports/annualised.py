"""When a report shows annualised ROI: for a period of a year or more, never a shorter one.

Compounding a short period into a year is correct by the formula (SPEC §3) and misleads
a reader: October's ROI of 156 % becomes 6,470,915 % "a year", which only says what the
same return every month for a year would give. So reports — the workbook, the PDFs, the
emails — show both annualised fields only where the period (the report's, or the row's
own month in By month) is at least a year long, and "–" with a note saying why otherwise.
`roi-reports metrics` keeps both fields for every period: that is where to get them.
"""

from __future__ import annotations

from roi_reports.i18n import Gettext
from roi_reports.periods import Period
from roi_reports.reports.formatting import MISSING, format_metric, is_missing, localise_digits

ANNUALISED = ("annualized_roi_pct", "annualized_roi_simple_pct")
YEAR_DAYS = 365  # a fiscal or calendar year, 365 or 366 days, qualifies
WITHHELD = MISSING


def annualised_shown(days: int) -> bool:
    """Whether a period of `days` calendar days gets its annualised ROI shown."""
    return days >= YEAR_DAYS


def columns_note(t: Gettext) -> str:
    """Under a table whose annualised columns show "–"."""
    return t(
        "– in the annualised ROI columns: annualised ROI is shown only for periods of a "
        "year or more; a shorter period's ROI compounded over a year is a projection, not "
        "a result (see Definitions)."
    )


def summary_note(
    period: Period, roi: object, compounded: object, currency: str, language: str, t: Gettext
) -> str:
    """Under the Summary's key figures: why "–", with the figure it would have been."""
    days = localise_digits(str(period.days), language)
    label = localise_digits(period.label, language)
    if is_missing(roi) or is_missing(compounded):
        text = t(
            "Annualised ROI %: – because annualised ROI is shown only for periods of a "
            "year or more, and {period} has {days} days."
        )
        return text.format(period=label, days=days)
    text = t(
        "Annualised ROI %: – because annualised ROI is shown only for periods of a year "
        "or more. {period} has {days} days; its ROI of {roi} compounded over a year would "
        "read {annualised}, which assumes the same return every {days} days for a year."
    )
    return text.format(
        period=label,
        days=days,
        roi=format_metric("roi_pct", roi, currency, language),
        annualised=format_metric("annualized_roi_pct", compounded, currency, language),
    )


def definitions_note(t: Gettext) -> str:
    """The rule itself, for the Definitions sheet."""
    return t(
        "Annualised ROI (both methods) is shown only for periods of a year or more (365 "
        "days or more; in By month, never, as each row is a month); shorter periods show "
        "–. `roi-reports metrics` gives both fields for any period."
    )
