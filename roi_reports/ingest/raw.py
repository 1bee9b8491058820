"""What reading a file yields, before any value is typed: raw tables and how each sheet
was read (what `roi-reports inspect` shows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from roi_reports.ingest.formats import TextFormat
from roi_reports.ingest.presets import RowsKind
from roi_reports.ingest.schemas import SheetKind
from roi_reports.validation import Problem

LINE_KEY = "_line"  # hidden column: hash of all cells of the row as written


@dataclass(frozen=True)
class RawTable:
    """One recognised table: canonical column → raw cell values, plus Excel row numbers."""

    file: str
    sheet: str
    kind: SheetKind
    header_row: int  # 1-based, as Excel shows it
    frame: pd.DataFrame  # canonical column names, object values; index = Excel row numbers
    preset: str | None = None  # the export preset the table was read with
    rows: RowsKind = "counts"  # "records": each row is one deal or order


@dataclass(frozen=True)
class SheetReading:
    """How one sheet was read: what `roi-reports inspect` shows."""

    sheet: str
    header_row: int  # 1-based
    header: tuple[object, ...]
    kinds: tuple[SheetKind, ...]
    preset: str | None
    rows: RowsKind
    mapping: Mapping[str, str]  # header → canonical, preset and [columns] together
    preamble: tuple[str, ...]
    footers: tuple[str, ...]
    period: str | None  # how rows without a date got their period
    row_counts: Mapping[SheetKind, int]


@dataclass
class ReadResult:
    tables: list[RawTable]
    problems: list[Problem]
    notes: list[str]
    sheets: list[SheetReading] = field(default_factory=list)
    text_format: TextFormat | None = None
