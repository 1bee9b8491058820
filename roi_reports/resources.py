"""Files shipped with the package: templates, the sample sheets, the config template.

Installed, they live inside the package (the wheel force-includes them); in an editable
install from the repository they are found at the repository's top level.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parent.parent


def _shipped(name: str) -> Path:
    packaged = Path(str(resources.files("roi_reports") / name))
    return packaged if packaged.exists() else _REPO_ROOT / name


def template_root() -> Path:
    return _shipped("templates")


def sample_root() -> Path:
    return _shipped("sample_data")


def sample_files() -> list[Path]:
    return sorted(p for p in sample_root().glob("*.xlsx") if not p.name.startswith("."))


def config_template() -> str:
    return (Path(__file__).parent / "data" / "roi-reports.toml").read_text(encoding="utf-8")
