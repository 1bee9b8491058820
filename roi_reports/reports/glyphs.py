"""Glyph coverage: every character a PDF prints must be in one of the report's fonts.

A character none of the stylesheet's fonts has would print as an empty box (or in some
unrelated font the machine happens to have); it is caught before rendering and named,
with where it comes from, instead. Which fonts draw which characters: roi_reports/fonts.py
(shared with `validate`, which warns about such names in the input cells).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from roi_reports.fonts import describe_char, undrawable

SKIPPED_FIELDS = {"src", "css", "direction", "lang", "page_size", "created_iso", "logo", "tone"}
SHOWN = 3  # uncovered characters named in one error


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
        for char in undrawable(text, points):
            if char not in found:
                found[char] = f"{describe_char(char)} in {where}: {text[:40]!r}"
    return list(found.values())
