"""The embedded store: each accepted input file's normalised tables as Parquet.

Keyed by file name and content hash: the same content is never parsed twice, and a new
version of a file name replaces the old version's rows (the old Parquet stays on disk,
and the replacement is recorded). `index.json` is rewritten atomically after the data
is in place, so a crash at any point leaves the previous consistent state.
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

from roi_reports.dataset import KINDS, FileTables
from roi_reports.fsutil import atomic_write_text
from roi_reports.normalise import empty_frame
from roi_reports.validation import Problem

INDEX_VERSION = 1


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

    def put(self, tables: FileTables, sha256: str, archived_as: str, when: datetime) -> StoredFile:
        """Store a file's tables; a new version of the same name replaces the old one."""
        self._write_tables(tables, sha256)
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

    def _write_tables(self, tables: FileTables, sha256: str) -> None:
        final = self.root / sha256
        if final.exists():  # same content stored before (e.g. under an older name)
            return
        staging = self.root / f".{sha256}.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for kind, frame in tables.frames.items():
            frame.to_parquet(staging / f"{kind}.parquet", index=False)
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
            path = folder / f"{kind}.parquet"
            if path.exists():
                template = empty_frame(kind)
                frame = pd.read_parquet(path)
                frames[kind] = frame.astype(template.dtypes.to_dict())
        warnings = tuple(Problem(**p) for p in raw.get("warnings", []))
        return FileTables(name, frames, warnings, tuple(raw.get("notes", [])))

    def load_all(self) -> list[FileTables]:
        return [self.load(name) for name in sorted(self._files)]
