"""Glyph coverage: every character a PDF prints must be in one of the report's fonts.

A character none of the stylesheet's fonts has would print as an empty box (or in some
unrelated font the machine happens to have); it is caught before rendering and named,
with where it comes from, instead.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)
SKIPPED_FIELDS = {"src", "css", "direction", "lang", "page_size", "created_iso", "logo", "tone"}
SHOWN = 3  # uncovered characters named in one error


def stylesheet_families(stylesheets: Sequence[Path]) -> tuple[str, ...]:
    """The font families named in the stylesheets, in order, without generic names."""
    families: list[str] = []
    for sheet in stylesheets:
        for declaration in FONT_FAMILY.findall(sheet.read_text(encoding="utf-8")):
            for name in declaration.split(","):
                family = name.strip().strip("\"'")
                if family and family.lower() not in GENERIC_FAMILIES and family not in families:
                    families.append(family)
    return tuple(families)


@lru_cache(maxsize=32)
def font_file(family: str) -> Path | None:
    """The installed file of `family` (fontconfig), or None when it is not installed."""
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{family}\n%{file}", family],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return None
    # fc-match always answers; a different family means this one is missing
    if len(found) != 2 or family.lower() not in (f.strip().lower() for f in found[0].split(",")):
        return None
    return Path(found[1])


@lru_cache(maxsize=8)
def covered(families: tuple[str, ...]) -> frozenset[int]:
    """Code points that at least one of the installed `families` can draw."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for family in families:
        path = font_file(family)
        if path is None:
            continue
        font = TTFont(path, fontNumber=0, lazy=True)
        points.update(font.getBestCmap() or {})
        font.close()
    return frozenset(points)


def texts(value: object, where: str = "page") -> Iterator[tuple[str, str]]:
    """(field path, text) of every string in a display object (dataclasses, tuples)."""
    if isinstance(value, str):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name not in SKIPPED_FIELDS:
                yield from texts(getattr(value, field.name), f"{where}.{field.name}")
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from texts(item, f"{where}[{index}]")


def uncovered(page: object, points: frozenset[int]) -> list[str]:
    """One line per character no font covers: the character, its code, where it is."""
    found: dict[str, str] = {}
    for where, text in texts(page):
        for char in text:
            # controls, joiners and direction marks are never drawn, so never missing
            invisible = unicodedata.category(char)[0] in "CZ"
            if ord(char) not in points and not invisible and char not in found:
                found[char] = f"{char!r} (U+{ord(char):04X}) in {where}: {text[:40]!r}"
    return list(found.values())
