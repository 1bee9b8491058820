"""One partition's rows → canonical, converted, checked rows: what every engine runs per piece.

Pure pandas and picklable, so the same functions run in this process (pandas engine) and
on Dask workers. A piece is a stored Parquet file of the folder job's store, or part of a
Parquet or CSV export whose headers are canonical column names (or their aliases).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from roi_reports.aggregate import summable
from roi_reports.ingest.dataset import gross_profit_problems
from roi_reports.ingest.headers import lacks_signature, match_headers
from roi_reports.ingest.normalise import (
    FRAME_COLUMNS,
    empty_frame,
    fx_rate_per_row,
    missing_rate_problems,
    normalise_table,
)
from roi_reports.ingest.raw import RawTable
from roi_reports.ingest.schemas import SHEETS, SheetKind
from roi_reports.ingest.values import to_currency
from roi_reports.validation import Problem

RowKind = Literal["results", "costs"]
# every piece's (currencies its rows name, whether a row names none) → reporting currency
CurrencyChoice = Callable[[Sequence[tuple[frozenset[str], bool]]], str]
PieceFormat = Literal["store", "parquet", "csv"]
MONEY: dict[RowKind, tuple[str, ...]] = {
    "results": ("revenue", "gross_profit"),
    "costs": ("amount",),
}


@dataclass(frozen=True)
class Piece:
    """A file, or some row groups of a Parquet file: one partition's worth of rows."""

    path: str
    kind: RowKind
    format: PieceFormat
    row_groups: tuple[int, ...] | None = None  # None: the whole file
    first_row: int = 0  # data rows of the file before this piece (for row numbers)


@dataclass(frozen=True)
class Rules:
    """What every row is typed, converted and checked with, the same on every partition."""

    currency: str
    fx: pd.DataFrame  # the small fx_rates table of all inputs
    require_gross_profit: bool = False
    fiscal_year_start: int = 1
    period: tuple[pd.Timestamp, pd.Timestamp] | None = None  # [input] period
    columns: dict[str, str] = field(default_factory=dict)  # [columns] header mapping


def read_piece(piece: Piece, columns: list[str] | None = None) -> pd.DataFrame:
    """The piece's raw rows (only `columns`, when given); fsspec paths (s3://, gs://, …)
    work where pyarrow can reach."""
    if piece.format == "csv":
        return pd.read_csv(piece.path, dtype=object, usecols=columns)
    if piece.row_groups is None:
        return pd.read_parquet(piece.path, columns=columns)
    import pyarrow.parquet as pq

    with pq.ParquetFile(piece.path) as parquet:
        return parquet.read_row_groups(list(piece.row_groups), columns=columns).to_pandas()


def export_headers(path: str, form: PieceFormat) -> list[str]:
    """An export's header names, as `read_piece` sees them, without reading its rows."""
    if form == "csv":
        return list(pd.read_csv(path, nrows=0).columns)
    import pyarrow.parquet as pq

    return list(pq.read_schema(path).names)


def currency_labels(piece: Piece, columns: dict[str, str]) -> tuple[frozenset[str], bool]:
    """The currencies a piece's rows name, and whether any row names none: what choosing
    the reporting currency from the data needs (`dataset.data_currency`), read from the
    currency column alone, so an engine can decide before it converts a single row."""
    if piece.format == "store":  # stored rows are typed: the column holds ISO codes
        codes = read_piece(piece, ["currency"])["currency"]
    else:
        headers = export_headers(piece.path, piece.format)
        found = match_headers(headers, SHEETS[piece.kind], columns)
        name = next((headers[p] for p, c in found.items() if c == "currency"), None)
        if name is None:  # no currency column: every row is in the reporting currency
            return frozenset(), len(read_piece(piece, headers[:1])) > 0
        codes = to_currency(read_piece(piece, [name])[name])[0]
    return frozenset(codes.dropna().astype(str)), bool(codes.isna().any())


def canonical_rows(piece: Piece, rules: Rules) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed canonical rows in the reporting currency, and every problem found in them."""
    raw = read_piece(piece)
    problems: list[Problem] = []
    if piece.format == "store":
        frame = _typed_store_rows(raw, piece.kind)
    else:
        frame, problems = _typed_export_rows(raw, piece, rules)
    rate = fx_rate_per_row(frame, rules.fx, rules.currency)
    missing = np.isnan(rate)
    if missing.any():
        problems.extend(missing_rate_problems(frame[missing], rules.currency))
    for column in MONEY[piece.kind]:
        frame[column] = frame[column] * rate
    frame["currency"] = rules.currency
    if rules.require_gross_profit and piece.kind == "results":
        problems.extend(gross_profit_problems(frame))
    return frame, problems


def summable_piece(piece: Piece, rules: Rules) -> pd.DataFrame:
    """The rows of `aggregate.summable`, plus `invalid`: the piece's error count.

    The count rides on the first row (0 elsewhere), so one sum gives every piece's total
    without a second pass; the errors themselves are gathered only when it is not zero.
    """
    frame, problems = canonical_rows(piece, rules)
    dated = frame["start"].notna() & frame["end"].notna()  # undated rows are errors, counted
    data = summable(frame[dated], piece.kind)
    invalid = np.zeros(len(data), dtype="int64")
    if len(data):
        invalid[0] = sum(1 for p in problems if p.severity == "error")
    data["invalid"] = invalid
    return data


def piece_errors(piece: Piece, rules: Rules) -> list[Problem]:
    return [p for p in canonical_rows(piece, rules)[1] if p.severity == "error"]


def _typed_store_rows(raw: pd.DataFrame, kind: RowKind) -> pd.DataFrame:
    template = empty_frame(kind)
    return raw[list(template.columns)].astype(template.dtypes.to_dict())


def export_kind(headers: list[object], columns: dict[str, str]) -> SheetKind | None:
    """The one table kind whose required columns the headers have (best match wins)."""
    scores: dict[SheetKind, int] = {}
    for kind, spec in SHEETS.items():
        present = set(match_headers(headers, spec, columns).values())
        if (
            not [c for c in spec.required if c not in present]
            and (not spec.one_of or present.intersection(spec.one_of))
            and not lacks_signature(spec, present)
        ):
            scores[kind] = len(present)
    if not scores:
        return None
    best: SheetKind = max(scores, key=scores.__getitem__)
    return best


def _typed_export_rows(
    raw: pd.DataFrame, piece: Piece, rules: Rules
) -> tuple[pd.DataFrame, list[Problem]]:
    """Canonical headers → the same typing and rules as a spreadsheet table."""
    table = export_table(raw, piece.kind, piece, rules.columns)
    typed, problems = normalise_table(
        table, rules.fiscal_year_start, rules.period, whole_columns=False
    )
    return typed[list(FRAME_COLUMNS[piece.kind])], problems


def export_table(
    raw: pd.DataFrame, kind: SheetKind, piece: Piece, columns: dict[str, str]
) -> RawTable:
    """An export's recognised columns as a raw table; row numbers count from the file's top
    (a CSV's header is its row 1, so its first data row is 2; Parquet has no header row)."""
    positions = match_headers(list(raw.columns), SHEETS[kind], columns)
    frame = raw.iloc[:, list(positions)].set_axis(list(positions.values()), axis=1)
    header_row = 1 if piece.format == "csv" else 0
    frame.index = pd.RangeIndex(len(frame)) + piece.first_row + header_row + 1
    name = piece.path.rstrip("/").rsplit("/", 1)[-1]
    return RawTable(name, "", kind, header_row, frame)
