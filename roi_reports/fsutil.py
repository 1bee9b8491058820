"""File-system helpers for crash safety: atomic writes, content hashes, safe moves."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from unidecode import unidecode

MAX_SLUG = 60  # characters of a name kept in a file name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A hidden temp path beside `path` to write to; on success fsync and rename it over
    `path`, on any error remove it. A crash leaves the old file or the new one, never half.

    The temp file is created by the writer with ordinary permissions (not mkstemp's 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # the pid tells a later run whether the writer is gone (jobs/leftovers.py)
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
    try:
        yield temp
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """`data` to `path`, atomically (see `atomic_path`)."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def free_name(folder: Path, name: str) -> Path:
    """`folder/name`, or `name (2)`, `name (3)`… if taken: moves never overwrite a file."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


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
