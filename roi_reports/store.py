"""The embedded store: each accepted input file's normalised tables as Parquet.

Keyed by file name and content hash: the same content is never parsed twice, and a new
version of a file name replaces the old version's rows (the old Parquet stays on disk,
and the replacement is recorded). `index.json` is rewritten atomically after the data
is in place, so a crash at any point leaves the previous consistent state.

Results and costs are partitioned by month, `<hash>/results/month=2026-10/span-1.parquet`
(rows starting in that month and covering `span` months), so an engine asked for a period
reads only the files whose rows can touch it. Stores written before partitioning
(`<hash>/results.parquet`) stay readable; their files are simply always read.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from roi_reports.aggregate import month_span
from roi_reports.fsutil import atomic_write_text
from roi_reports.ingest.dataset import KINDS, FileTables
from roi_reports.ingest.normalise import empty_frame
from roi_reports.ingest.schemas import SheetKind
from roi_reports.periods import make_period, month_index
from roi_reports.validation import Problem

INDEX_VERSION = 2  # 2: results and costs partitioned by month
PARTITIONED = ("results", "costs")
SMALL_KINDS: tuple[SheetKind, ...] = ("targets", "fx_rates", "employees", "stakeholders")


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    rows: dict[str, int]
    ingested_at: str
    archived_as: str
    replaced: tuple[dict[str, str], ...] = ()


class Store:
    """A folder of Parquet files plus an index (file name → current version)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.index_path = root / "index.json"
        self._files: dict[str, dict[str, Any]] = self._load_index()

    def _load_index(self) -> dict[str, dict[str, Any]]:
        if not self.index_path.exists():
            return {}
        data = json.loads(self.index_path.read_text(encoding="utf-8"))
        return dict(data.get("files", {}))

    def files(self) -> list[StoredFile]:
        return [self._entry(name) for name in sorted(self._files)]

    def _entry(self, name: str) -> StoredFile:
        raw = self._files[name]
        return StoredFile(
            name,
            raw["sha256"],
            dict(raw["rows"]),
            raw["ingested_at"],
            raw["archived_as"],
            tuple(raw.get("replaced", ())),
        )

    def find(self, sha256: str) -> StoredFile | None:
        """The stored file with this exact content, under any name."""
        for name, raw in self._files.items():
            if raw["sha256"] == sha256:
                return self._entry(name)
        return None

    def get(self, name: str) -> StoredFile | None:
        return self._entry(name) if name in self._files else None

    def put(
        self,
        tables: FileTables,
        sha256: str,
        archived_as: str,
        when: datetime,
        written_ahead: bool = False,
    ) -> StoredFile:
        """Store a file's tables; a new version of the same name replaces the old one.

        `written_ahead`: the caller emptied `staging(sha256)` before the file was read, so
        a folder there now is these tables, written by the worker that read them.
        """
        self._write_tables(tables, sha256, written_ahead)
        previous = self._files.get(tables.name)
        replaced = list(previous.get("replaced", [])) if previous else []
        if previous:
            replaced.append({"sha256": previous["sha256"], "ingested_at": previous["ingested_at"]})
        self._files[tables.name] = {
            "sha256": sha256,
            "rows": tables.rows(),
            "ingested_at": when.isoformat(timespec="seconds"),
            "archived_as": archived_as,
            "replaced": replaced,
            "warnings": [p.__dict__ for p in tables.problems if p.severity == "warning"],
            "notes": list(tables.notes),
        }
        self._save_index()
        return self._entry(tables.name)

    def staging(self, sha256: str) -> Path:
        """Where a file's tables are written before they appear whole (`put`): a reading
        worker may write them there ahead (`write_tables`), as this process's."""
        return self.root / f".{sha256}.{os.getpid()}.tmp"

    def discard_staging(self, sha256: str) -> None:
        """Remove what was written ahead for `sha256`, whole or half."""
        _remove_written(self.staging(sha256))

    def _write_tables(self, tables: FileTables, sha256: str, written_ahead: bool) -> None:
        final = self.root / sha256
        staging = self.staging(sha256)
        if final.exists():  # same content stored before (e.g. under an older name)
            self.discard_staging(sha256)  # written ahead for nothing
            return
        if not (written_ahead and staging.is_dir()):
            write_tables(tables, staging)
        os.replace(staging, final)  # the directory appears whole or not at all

    def _save_index(self) -> None:
        payload = {"version": INDEX_VERSION, "files": self._files}
        atomic_write_text(
            self.index_path, json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)
        )

    def load(self, name: str) -> FileTables:
        raw = self._files[name]
        folder = self.root / raw["sha256"]
        frames = {}
        for kind in KINDS:
            paths = _kind_files(folder, kind)
            if paths:
                frames[kind] = read_rows(paths, kind)
        warnings = tuple(Problem(**p) for p in raw.get("warnings", []))
        return FileTables(name, frames, warnings, tuple(raw.get("notes", [])))

    def load_all(self) -> list[FileTables]:
        return [self.load(name) for name in sorted(self._files)]

    def load_small(self) -> list[FileTables]:
        """Every file's targets, exchange rates, warnings and notes, without its rows."""
        files = []
        for name in sorted(self._files):
            raw = self._files[name]
            folder = self.root / raw["sha256"]
            frames: dict[SheetKind, pd.DataFrame] = {
                kind: read_rows([folder / f"{kind}.parquet"], kind)
                for kind in SMALL_KINDS
                if (folder / f"{kind}.parquet").exists()
            }
            warnings = tuple(Problem(**p) for p in raw.get("warnings", []))
            files.append(FileTables(name, frames, warnings, tuple(raw.get("notes", []))))
        return files

    def row_files(self, kind: str, months: tuple[int, int] | None = None) -> list[Path]:
        """The Parquet files of the current versions holding `kind` rows that can touch
        `months` (first, last month index; None: all)."""
        found = []
        for name in sorted(self._files):
            for path in _kind_files(self.root / self._files[name]["sha256"], kind):
                span = _partition_span(path)
                if months is None or span is None or _overlaps(span, months):
                    found.append(path)
        return found


def write_tables(tables: FileTables, folder: Path) -> None:
    """A file's tables in `folder` as the store keeps them. The folder appears only once
    all is written (a `.part` folder beside it until then), so one that exists is whole."""
    _remove_written(folder)
    part = _part_of(folder)
    part.mkdir(parents=True)
    try:
        for kind, frame in tables.frames.items():
            if kind in PARTITIONED:
                _write_partitions(frame, part / kind)
            else:
                frame.to_parquet(part / f"{kind}.parquet", index=False)
        os.replace(part, folder)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)  # a full disk, say: leave no half folder
        raise


def _part_of(folder: Path) -> Path:
    return folder.with_name(folder.name.removesuffix(".tmp") + ".part.tmp")


def _remove_written(folder: Path) -> None:
    """`folder` and its half-written `.part` twin, if there."""
    for written in (folder, _part_of(folder)):
        shutil.rmtree(written, ignore_errors=True)


def read_rows(paths: list[Path], kind: str) -> pd.DataFrame:
    """Stored Parquet files → one canonical frame with the dtypes of `empty_frame`."""
    template = empty_frame(kind)  # type: ignore[arg-type]
    frames = [pd.read_parquet(path) for path in paths]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return frame[list(template.columns)].astype(template.dtypes.to_dict())


def _write_partitions(frame: pd.DataFrame, folder: Path) -> None:
    """One file per (first month, months covered): rows keep their order within each."""
    spans = month_span(frame)
    covered = spans["end_m"] - spans["start_m"] + 1
    folder.mkdir()
    if frame.empty:  # keep the columns: an empty table is still a table
        frame.to_parquet(folder / "empty.parquet", index=False)
        return
    for key, rows in frame.groupby([spans["start_m"], covered], sort=True):
        start, months = (int(k) for k in key)  # type: ignore[call-overload]
        part = folder / f"month={make_period('month', start).label}"
        part.mkdir(exist_ok=True)
        rows.to_parquet(part / f"span-{months}.parquet", index=False)


def _kind_files(folder: Path, kind: str) -> list[Path]:
    legacy = folder / f"{kind}.parquet"
    if legacy.exists():
        return [legacy]
    return sorted((folder / kind).glob("**/*.parquet"))


def _partition_span(path: Path) -> tuple[int, int] | None:
    """(first, last month) a partition file's rows lie in; None for unpartitioned files."""
    month, span = path.parent.name, path.stem
    if not (month.startswith("month=") and span.startswith("span-")):
        return None
    year, number = month.removeprefix("month=").split("-")
    first = month_index(int(year), int(number))
    return first, first + int(span.removeprefix("span-")) - 1


def _overlaps(span: tuple[int, int], months: tuple[int, int]) -> bool:
    return span[0] <= months[1] and span[1] >= months[0]
