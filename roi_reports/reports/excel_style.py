"""Cell formats and safe cell writes for the Excel workbook.

Every cell goes through `write_text` or `write_value`: text is always stored as text (a
name such as `=HYPERLINK(…)` never becomes a formula) and undefined numbers are empty
cells that still carry the column's number format.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from roi_reports.i18n import gettext_for
from roi_reports.metrics import Unit
from roi_reports.reports.formatting import (
    excel_change_format,
    excel_number_format,
    format_value,
    is_missing,
)

# Text starting with these is what spreadsheet programs treat as a formula (CSV/DDE
# injection); such cells get Excel's quote prefix so editing them keeps them text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
# letters of right-to-left scripts: Hebrew, Arabic (Persian), Syriac, Thaana, N'Ko, …
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
UNASSIGNED = "(unassigned)"
GOOD_FILL = "#C6EFCE"
GOOD_FONT = "#006100"
BAD_FILL = "#FFC7CE"
BAD_FONT = "#9C0006"
HEADER_FILL = "#DDEBF7"
BAR_COLOUR = "#5B9BD5"
MIN_WIDTH, MAX_WIDTH = 8.0, 60.0
WIDEST = 1e15  # numbers beyond this only need the widest column
HEADER_PROPS = {
    "bold": True,
    "text_wrap": True,
    "valign": "top",
    "bg_color": HEADER_FILL,
    "bottom": 1,
}


class Styles:
    """xlsxwriter formats made once per distinct set of properties (the workbook caps them)."""

    def __init__(self, workbook: Workbook, currency: str, language: str) -> None:
        self.workbook = workbook
        self.currency = currency
        self.language = language
        self.t = gettext_for(language)  # labels in the workbook's language
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format(dict(props))
        return self._cache[key]

    def number_format(self, unit: Unit, change: bool = False) -> str:
        if change:
            return excel_change_format(unit, self.currency, self.language)
        return excel_number_format(unit, self.currency, self.language)

    def number(self, unit: Unit, change: bool = False, **props: Any) -> Format:
        return self.get(num_format=self.number_format(unit, change), **props)

    def title(self) -> Format:
        return self.get(bold=True, font_size=16)

    def section(self) -> Format:
        return self.get(bold=True, font_size=12)


def needs_quote(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def cell_text(value: object, missing: str = "") -> str:
    """The text of an input value for a cell; missing keys become `missing`."""
    if is_missing(value):
        return missing
    return str(value)[:MAX_CELL_TEXT]


def write_text(
    sheet: Worksheet, styles: Styles, row: int, col: int, text: str, **props: Any
) -> None:
    """Always a string cell: never a formula, URL or number, whatever the text looks like.

    Right-to-left text (a Persian name) is aligned left like the rest of its column:
    under General alignment LibreOffice aligns it right, so a column of names would be
    ragged by script.
    """
    if needs_quote(text):
        props["quote_prefix"] = True
    if "align" not in props and RIGHT_TO_LEFT.search(text):
        props["align"] = "left"
    fmt = styles.get(**props) if props else None
    if text:
        sheet.write_string(row, col, text, fmt)
    else:
        sheet.write_blank(row, col, None, fmt)


def write_value(
    sheet: Worksheet,
    styles: Styles,
    row: int,
    col: int,
    value: object,
    unit: Unit,
    change: bool = False,
    **props: Any,
) -> None:
    """A number with the unit's format; undefined (NaN, None) is an empty formatted cell."""
    fmt = styles.number(unit, change, **props)
    if is_missing(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, float(value), fmt)  # type: ignore[arg-type]


def text_width(texts: Iterable[str]) -> float:
    longest = max((len(t) for t in texts), default=0)
    return min(max(longest + 2.0, MIN_WIDTH), MAX_WIDTH)


def number_width(values: Iterable[object], unit: Unit, styles: Styles) -> float:
    """Wide enough for the longest formatted value (measured with the shared formatter)."""
    finite = [float(v) for v in values if not is_missing(v)]  # type: ignore[arg-type]
    finite = [v for v in finite if math.isfinite(v)]
    if not finite:
        return MIN_WIDTH + 4
    # annualised ROI can reach 1e300; Babel cannot format that, and the width caps anyway
    extremes = [min(max(v, -WIDEST), WIDEST) for v in (max(finite), min(finite))]
    texts = [format_value(v, unit, styles.currency, styles.language) for v in extremes]
    return min(max(max(len(t) for t in texts) + 3.0, MIN_WIDTH + 4), MAX_WIDTH)


def header_footer_text(text: str) -> str:
    """`&` starts a control code in Excel headers and footers; `&&` prints one."""
    return text.replace("&", "&&")
