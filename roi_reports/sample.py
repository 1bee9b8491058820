"""A realistic, deterministic sample workbook: the demo's input and the docs' examples.

`python -m roi_reports.sample OUT.xlsx` writes it; `sample_data/roi-sample.xlsx` is this
module's output, and a test keeps the two in step.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from roi_reports.i18n import N_, gettext_for

# (channel, campaign, revenue per conversion, conversion rate, contacts per week)
CHANNELS = [
    ("Trade fairs", "Slush 2026", 420.0, 0.22, 30),
    ("LinkedIn", "Thought leadership", 260.0, 0.08, 90),
    ("Networking events", "Breakfast club", 70.0, 0.30, 12),
    ("Influencers", "Autumn launch", 150.0, 0.05, 140),
    ("Google Ads", "Search – brand", 95.0, 0.04, 260),
]
EMPLOYEES = ["Aino Virtanen", "Mikko Korhonen", "Sara Ahmadi", "نگار محمدی"]
ASSIGNMENTS = {  # who works which channel
    "Aino Virtanen": ["Trade fairs", "Networking events"],
    "Mikko Korhonen": ["LinkedIn", "Trade fairs"],
    "Sara Ahmadi": ["Influencers", "Google Ads"],
    "نگار محمدی": ["Networking events", "LinkedIn"],
}
RESULT_HEADER = (
    "Date",
    "Channel",
    "Campaign",
    "Employee",
    "Contacts",
    "Conversions",
    "Revenue",
    "Gross profit",
    "Currency",
)
COST_HEADER = ("Date", "Channel", "Campaign", "Employee", "Category", "Amount", "Currency")
MONTHS = [(2026, 7), (2026, 8), (2026, 9), (2026, 10)]
USD_PER_EUR = {(2026, 7): 1.09, (2026, 8): 1.10, (2026, 9): 1.11, (2026, 10): 1.08}


def _mondays(year: int, month: int) -> list[date]:
    day = date(year, month, 1)
    days = [day + timedelta(days=i) for i in range(31)]
    return [d for d in days if d.month == month and d.weekday() == 0]


def sample_rows() -> dict[str, list[list[object]]]:
    """Rows (with header) of every sheet, deterministic."""
    rng = random.Random(20261031)
    channel_info = {c[0]: c for c in CHANNELS}
    results: list[list[object]] = [list(RESULT_HEADER)]
    for year, month in MONTHS:
        for monday in _mondays(year, month):
            for employee in EMPLOYEES:
                for channel in ASSIGNMENTS[employee]:
                    _, campaign, ticket, rate, contacts = channel_info[channel]
                    n_contacts = max(1, round(contacts * rng.uniform(0.6, 1.4) / 2))
                    n_conv = min(n_contacts, round(n_contacts * rate * rng.uniform(0.5, 1.6)))
                    revenue = round(n_conv * ticket * rng.uniform(0.8, 1.25), 2)
                    margin = round(revenue * rng.uniform(0.35, 0.55), 2)
                    results.append(
                        [
                            monday,
                            channel,
                            campaign,
                            employee,
                            n_contacts,
                            n_conv,
                            revenue,
                            margin,
                            "EUR",
                        ]
                    )
    costs: list[list[object]] = [list(COST_HEADER)]
    for year, month in MONTHS:
        first = date(year, month, 1)
        costs += [
            [
                first,
                "Trade fairs",
                "Slush 2026",
                None,
                "booth",
                2400.0 if month == 10 else 600.0,
                "EUR",
            ],
            [
                first,
                "LinkedIn",
                "Thought leadership",
                None,
                "ad spend",
                round(1800 * rng.uniform(0.9, 1.1), 2),
                "USD",
            ],
            [
                first,
                "Influencers",
                "Autumn launch",
                None,
                "fees",
                round(1500 * rng.uniform(0.8, 1.2), 2),
                "USD",
            ],
            [
                first,
                "Google Ads",
                "Search – brand",
                None,
                "ad spend",
                round(2100 * rng.uniform(0.9, 1.1), 2),
                "EUR",
            ],
            [first, "Networking events", "Breakfast club", None, "tickets", 350.0, "EUR"],
            [first, None, None, None, "software", 490.0, "EUR"],  # CRM licence: shared
        ]
        for employee in EMPLOYEES:
            costs.append(
                [
                    date(year, month, 15),
                    None,
                    None,
                    employee,
                    "travel",
                    round(500 * rng.uniform(0.7, 1.3), 2),
                    "EUR",
                ]
            )
    targets: list[list[object]] = [["Period", "Dimension", "Name", "Metric", "Target"]]
    channel_revenue_targets = {
        "Trade fairs": 11000.0,
        "LinkedIn": 8500.0,
        "Networking events": 1200.0,
        "Influencers": 2200.0,
        "Google Ads": 2500.0,
    }
    for channel, target in channel_revenue_targets.items():
        targets.append(["2026-10", "channel", channel, "revenue", target])
    for employee, conversions_target in zip(EMPLOYEES, (25, 30, 20, 25), strict=True):
        targets.append(["2026-10", "employee", employee, "conversions", conversions_target])
    targets.append(["2026-10", "total", None, "roi_pct", 150.0])
    targets.append(["2026-Q3", "total", None, "revenue", 120000.0])
    fx: list[list[object]] = [["Currency", "Month", "Rate"]]
    for (year, month), usd_per_eur in USD_PER_EUR.items():
        fx.append(["USD", f"{year}-{month:02d}", round(1 / usd_per_eur, 6)])
    return {"results": results, "costs": costs, "targets": targets, "fx_rates": fx}


# Header and sheet names a Finnish or Persian team would write (all known to schemas.py)
LOCAL_HEADERS: dict[str, dict[str, str]] = {
    "fi": {
        "Date": "Päivämäärä", "Channel": "Kanava", "Campaign": "Kampanja",
        "Employee": "Työntekijä", "Contacts": "Kontaktit", "Conversions": "Konversiot",
        "Revenue": "Tulot", "Gross profit": "Myyntikate", "Currency": "Valuutta",
        "Category": "Kululaji", "Amount": "Summa", "Period": "Kausi",
        "Dimension": "Ulottuvuus", "Name": "Nimi", "Metric": "Mittari", "Target": "Tavoite",
        "Month": "Kuukausi", "Rate": "Kurssi",
    },
    "fa": {
        "Date": "تاریخ", "Channel": "کانال", "Campaign": "کمپین", "Employee": "کارمند",
        "Contacts": "تماس", "Conversions": "تبدیل", "Revenue": "درآمد",
        "Gross profit": "سود ناخالص", "Currency": "ارز", "Category": "دسته",
        "Amount": "هزینه", "Period": "دوره", "Dimension": "بعد", "Name": "نام",
        "Metric": "شاخص", "Target": "هدف", "Month": "ماه", "Rate": "نرخ",
    },
}  # fmt: skip
LOCAL_SHEETS: dict[str, dict[str, str]] = {
    "fi": {"results": "Tulokset", "costs": "Kulut", "targets": "Tavoitteet",
           "fx_rates": "Valuuttakurssit"},
    "fa": {"results": "نتایج", "costs": "هزینه‌ها", "targets": "اهداف", "fx_rates": "نرخ ارز"},
}  # fmt: skip
ABOUT = (
    N_("Marketing & sales ROI — sample team workbook"),
    N_("Sheets: results (weekly per employee and channel), costs, targets, fx_rates."),
    N_("Costs without a channel or employee are shared costs."),
)


def localised_rows(language: str) -> dict[str, list[list[object]]]:
    """The sample's sheets with sheet names and headers in `language` (data unchanged)."""
    rows = sample_rows()
    if language == "en":
        return rows
    headers, sheets = LOCAL_HEADERS[language], LOCAL_SHEETS[language]
    return {
        sheets[kind]: [[headers[str(h)] for h in table[0]], *table[1:]]
        for kind, table in rows.items()
    }


def write_sample(path: Path, language: str = "en") -> Path:
    """The sample workbook; with `language` fi or fa, the way such a team would write it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _ = gettext_for(language)
    workbook = Workbook()
    about = workbook.active
    about.title = _("About")
    about["A1"] = _(ABOUT[0])
    about["A1"].font = Font(bold=True, size=14)
    about["A3"], about["A4"] = _(ABOUT[1]), _(ABOUT[2])
    for name, rows in localised_rows(language).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
        sheet.sheet_view.rightToLeft = language == "fa"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    workbook.save(tmp)
    tmp.replace(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("sample_data/roi-sample.xlsx")
    print(write_sample(target))
