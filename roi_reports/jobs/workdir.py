"""The working folder a team drops spreadsheets into, and `roi-reports init`."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from roi_reports.config import CONFIG_FILE_NAME
from roi_reports.errors import RoiReportsError, UsageError
from roi_reports.resources import config_template, sample_files
from roi_reports.sample import write_sample

FOLDERS = ("inbox", "archive", "quarantine", "out", "outbox", "logs", "store")


@dataclass(frozen=True)
class WorkDir:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE_NAME

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def lock(self) -> Path:
        return self.root / ".roi-reports.lock"


def open_workdir(path: Path) -> WorkDir:
    """An existing working folder; missing sub-folders are created (never deleted)."""
    workdir = WorkDir(path.resolve())
    if not workdir.root.is_dir() or not workdir.inbox.is_dir():
        raise RoiReportsError(
            f"{path} is not a roi-reports working folder (no inbox/): "
            f"create one with `roi-reports init {path}`"
        )
    for folder in FOLDERS:
        (workdir.root / folder).mkdir(exist_ok=True)
    return workdir


def init_workdir(path: Path, language: str = "en") -> WorkDir:
    """Create the folders, a commented config and the sample sheets in inbox/.

    With `language` fi or fa the config reports in that language and the sample sheets
    have Finnish or Persian sheet names and headers, as such a team would keep them.
    """
    workdir = WorkDir(path.resolve())
    if workdir.config.exists():
        raise UsageError(f"{workdir.config} already exists: {path} is already set up")
    if workdir.root.exists() and not workdir.root.is_dir():
        raise UsageError(f"{path} exists and is not a folder")
    for folder in FOLDERS:
        (workdir.root / folder).mkdir(parents=True, exist_ok=True)
    workdir.config.write_text(config_template(language), encoding="utf-8")
    for sample in sample_files():
        target = workdir.inbox / sample.name
        if target.exists():
            continue
        if language == "en":
            shutil.copyfile(sample, target)
        else:
            write_sample(target, language)
    return workdir
