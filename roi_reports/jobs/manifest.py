"""`manifest.json`: what a run read, wrote and delivered, for audit and for reruns."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from roi_reports import __version__
from roi_reports.fsutil import atomic_write_text, sha256_file
from roi_reports.resources import code_digest

MANIFEST_NAME = "manifest.json"  # in out/<period>/


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the period's output folder
    kind: str  # xlsx, pdf
    scope: str
    sha256: str
    bytes: int
    language: str | None = None  # set on a PDF made in a stakeholder's own language

    @classmethod
    def of(
        cls, path: Path, folder: Path, kind: str, scope: str, language: str | None = None
    ) -> OutputFile:
        relative = str(path.relative_to(folder))
        return cls(relative, kind, scope, sha256_file(path), path.stat().st_size, language)

    def intact(self, folder: Path) -> bool:
        """Still there and unchanged since the run recorded it."""
        path = folder / self.path
        return path.is_file() and sha256_file(path) == self.sha256

    @property
    def attachment_key(self) -> str:
        """How delivery finds it: "xlsx", a scope label, or "<scope>|<language>"."""
        if self.kind == "xlsx":
            return "xlsx"
        return f"{self.scope}|{self.language}" if self.language else self.scope


def write_manifest(path: Path, content: dict[str, Any]) -> Path:
    # the code beside the version: a changed file can be traced to a changed install
    payload = {
        "tool": "roi-reports",
        "version": __version__,
        "code_sha256": code_digest(),
        **content,
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=_jsonable)
    return atomic_write_text(path, text + "\n")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to the manifest")
