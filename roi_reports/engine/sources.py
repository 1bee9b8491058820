"""What an engine reads: the folder job's store, or Parquet/CSV exports named by globs.

Rows (results, costs) become pieces that an engine reads where it runs; the small tables
(targets, exchange rates) and the stored files' warnings are read here, in pandas, because
every partition needs the exchange rates and the reports need the targets.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from roi_reports.config import Config
from roi_reports.engine.pieces import (
    Piece,
    PieceFormat,
    RowKind,
    export_headers,
    export_kind,
    export_table,
    read_piece,
)
from roi_reports.errors import UsageError
from roi_reports.ingest.dataset import FileTables, input_period
from roi_reports.ingest.normalise import normalise_table
from roi_reports.ingest.schemas import SheetKind
from roi_reports.store import Store

EXPORT_SUFFIXES: dict[str, PieceFormat] = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}
GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Sources:
    pieces: tuple[Piece, ...]
    small: tuple[FileTables, ...]  # targets, fx rates, warnings and notes, per file
    months: tuple[int, int] | None = None  # only rows touching these months were listed


def store_sources(store: Store, months: tuple[int, int] | None = None) -> Sources:
    """The store's current files; with `months`, only the partitions that can touch them."""
    pieces = tuple(
        Piece(str(path), kind, "store")
        for kind in ("results", "costs")
        for path in store.row_files(kind, months)
    )
    return Sources(pieces, tuple(store.load_small()), months)


def is_export(path: str) -> bool:
    return Path(path).suffix.lower() in EXPORT_SUFFIXES


def expand(patterns: Sequence[str]) -> list[str]:
    """Glob patterns → sorted paths (local, or any fsspec URL such as s3://bucket/*.parquet)."""
    paths: list[str] = []
    for pattern in patterns:
        if not GLOB_CHARS.intersection(pattern):
            if "://" not in pattern and not Path(pattern).is_file():
                raise UsageError(f"{pattern}: file not found")
            paths.append(pattern)
            continue
        if "://" in pattern:
            import fsspec

            found = fsspec.open_files(pattern)
            matches = sorted(f.full_name for f in found)
        else:
            matches = sorted(glob.glob(pattern, recursive=True))
        if not matches:
            raise UsageError(f"no files match {pattern}")
        paths.extend(matches)
    return paths


def export_sources(paths: Sequence[str], config: Config) -> Sources:
    """Each export holds one table, recognised by its headers; rows are split into pieces
    of about `[engine] partition_size` rows (whole Parquet row groups)."""
    pieces: list[Piece] = []
    small: list[FileTables] = []
    for path in paths:
        form = EXPORT_SUFFIXES.get(Path(path).suffix.lower())
        if form is None:
            raise UsageError(f"{path}: an export must be .parquet or .csv")
        headers = export_headers(path, form)
        kind = export_kind(list(headers), config.columns)
        if kind is None:
            raise UsageError(
                f"{path}: its columns ({', '.join(map(str, headers))}) are none of the tables "
                "results, costs, targets, fx_rates; name them as in the README's Input sheets"
            )
        if kind in ("results", "costs"):
            pieces.extend(_split(path, kind, form, config.engine.partition_size))
        else:
            small.append(_small_table(path, kind, form, config))
    return Sources(tuple(pieces), tuple(small))


def _split(path: str, kind: RowKind, form: PieceFormat, rows_per_piece: int) -> list[Piece]:
    """Row groups gathered into pieces of about `rows_per_piece` rows (CSV: the whole file)."""
    if form == "csv":
        return [Piece(path, kind, form)]
    import pyarrow.parquet as pq

    metadata = pq.read_metadata(path)
    pieces, groups, rows, first = [], [], 0, 0
    for index in range(metadata.num_row_groups):
        groups.append(index)
        rows += metadata.row_group(index).num_rows
        if rows >= rows_per_piece or index == metadata.num_row_groups - 1:
            pieces.append(Piece(path, kind, form, tuple(groups), first))
            first += rows
            groups, rows = [], 0
    return pieces or [Piece(path, kind, form)]


def _small_table(path: str, kind: SheetKind, form: PieceFormat, config: Config) -> FileTables:
    """A targets or fx_rates export, typed and checked as a spreadsheet table would be."""
    piece = Piece(path, "results", form)
    table = export_table(read_piece(piece), kind, piece, config.columns)
    typed, problems = normalise_table(table, config.report.fiscal_year_start, input_period(config))
    return FileTables(table.file, {kind: typed}, tuple(problems))
