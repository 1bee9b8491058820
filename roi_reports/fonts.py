"""The report fonts and the characters they can draw.

Shared by the PDF renderer, which refuses a report that would print a character none of
its fonts has (reports/glyphs.py), and by `validate`, which warns about the cells holding
such characters before a run withholds the report that shows them.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from roi_reports.validation import Problem

GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
FONT_FAMILY = re.compile(r"font-family\s*:\s*([^;}]+)", re.IGNORECASE)
# input columns whose text the reports print (names of groups, cost categories, targets)
PRINTED_COLUMNS = ("channel", "campaign", "employee", "category", "name")


def stylesheet_families(stylesheets: Iterable[Path]) -> tuple[str, ...]:
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


def undrawable(text: str, points: frozenset[int]) -> list[str]:
    """The distinct characters of `text` that none of the fonts has, in order.

    Controls, joiners and direction marks are never drawn, so they are never missing.
    """
    found: dict[str, None] = {}
    for char in text:
        if ord(char) not in points and unicodedata.category(char)[0] not in "CZ":
            found[char] = None
    return list(found)


def describe_char(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X})"


def unprintable_cells(
    frames: Mapping[str, pd.DataFrame], points: frozenset[int], stylesheet: str
) -> list[Problem]:
    """A warning per distinct name that no report font can print, at its first cell.

    `frames` are canonical tables (with their `file`, `sheet` and `row` columns).
    """
    if not points:  # none of the fonts is installed: nothing to judge by
        return []
    warnings = []
    for frame in frames.values():
        for column in PRINTED_COLUMNS:
            if column in frame.columns and len(frame):
                warnings += _column_warnings(frame, column, points, stylesheet)
    return warnings


def _column_warnings(
    frame: pd.DataFrame, column: str, points: frozenset[int], stylesheet: str
) -> list[Problem]:
    values = frame[column]
    # judged once per distinct text: a million rows repeat a few names
    bad = {
        text: chars for text in values.dropna().unique() if (chars := undrawable(str(text), points))
    }
    warnings = []
    for text, chars in bad.items():
        rows = frame[values == text]
        first = rows.iloc[0]
        others = len(rows) - 1
        more = f" (also in {others} more row{'s' * (others > 1)})" if others else ""
        warnings.append(
            Problem(
                str(first["file"]),
                str(first["sheet"]),
                int(first["row"]),
                column,
                str(text),
                "character no report font has",
                f"{', '.join(describe_char(c) for c in chars)} cannot be printed in the PDF "
                f"reports{more}: `run` would withhold every report that shows this name; "
                f"correct the text, or add a font that has it to font-family in {stylesheet}",
                "warning",
            )
        )
    return warnings
