"""Files shipped with the package: templates, the sample sheets, the config template.

Installed, they live inside the package (the wheel force-includes them); in an editable
install from the repository they are found at the repository's top level.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from roi_reports.i18n import N_

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


# what the tool's own behaviour is made of: its code, the translations it prints and the
# data it ships (the templates have their own digest; the sample sheets are only inputs)
CODE_SUFFIXES = (".py", ".mo", ".toml", ".json")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over the installed package's code and translations (about 5 ms, once)."""
    return package_digest(Path(__file__).resolve().parent)


def package_digest(root: Path) -> str:
    """sha256 over every file under `root` whose suffix is in CODE_SUFFIXES, by relative
    path and content; `__pycache__`, the sample sheets and the templates (which have a
    digest of their own) do not count."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (
            path.suffix in CODE_SUFFIXES
            and path.is_file()
            and "__pycache__" not in relative.parts
            and relative.parts[0] not in ("sample_data", "templates")
        ):
            digest.update(relative.as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


DEFAULT_TITLE = N_("Marketing ROI")


def config_template(language: str = "en") -> str:
    """The commented roi-reports.toml that `init` writes; `language` sets reports' language."""
    from roi_reports.i18n import gettext_for

    text = (Path(__file__).parent / "data" / "roi-reports.toml").read_text(encoding="utf-8")
    if language == "en":
        return text
    title = gettext_for(language)(DEFAULT_TITLE)
    text = text.replace('# language = "en"     ', f'language = "{language}"       ', 1)
    return text.replace(f'title = "{DEFAULT_TITLE}"', f'title = "{title}"', 1)
