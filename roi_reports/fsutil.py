"""File-system helpers for crash safety: atomic writes, content hashes, safe moves."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from unidecode import unidecode

MAX_SLUG = 60  # characters of a name kept in a file name


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write to a temp file in the same folder, fsync, then rename over `path`.

    A crash leaves either the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600; outputs are shared like any file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def temp_path_for(path: Path) -> Path:
    """A hidden sibling temp name for writers that need a path rather than bytes."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `name (2)`, `name (3)`… if taken: moves never overwrite a file."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


def move_into(source: Path, folder: Path) -> Path:
    """Move a file into `folder` without overwriting anything there (atomic rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = free_name(folder, source.name)
    os.replace(source, target)
    return target


def slug(text: str) -> str:
    """A file-name-safe slug: Latin letters lose accents (ä → a), other scripts' letters
    and digits stay as they are, everything else becomes one dash; never empty."""
    text = unicodedata.normalize("NFC", text)
    chars = []
    for char in text:
        if char.isascii() or unicodedata.name(char, "").startswith("LATIN"):
            char = unidecode(char)
        chars.append(char.lower() if re.fullmatch(r"\w", char) else "-")
    cleaned = re.sub(r"[-_]+", "-", "".join(chars).replace("_", "-")).strip("-")
    return cleaned[:MAX_SLUG].strip("-") or "unnamed"
