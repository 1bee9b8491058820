"""Header matching: a file's header cells → canonical columns of a sheet kind.

Headers are compared after `normalise_header` (case, accents, separators folded); a
`[columns]` mapping wins over the built-in aliases of `schemas`, and a currency suffix
(`Cost (EUR)`) matches like the bare header.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from roi_reports.ingest.schemas import SHEETS, SheetKind, SheetSpec


def normalise_header(text: object) -> str:
    """Case-, space-, underscore- and accent-insensitive key for a header or sheet name.

    Finnish ä/ö are folded to a/o too, so `Tyontekija` matches `Työntekijä`; Persian
    zero-width non-joiners and Arabic/Persian letter variants are unified.
    """
    value = unicodedata.normalize("NFKD", str(text)).casefold()
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.replace("\u200c", " ").replace("ي", "ی").replace("ك", "ک")
    return re.sub(r"[\s_\-.:]+", " ", value).strip()


@lru_cache(maxsize=256)
def normalised(texts: tuple[str, ...]) -> tuple[str, ...]:
    """`normalise_header` of each of a fixed list (aliases, markers), worked out once a
    process: headers are looked for in every candidate row of every sheet."""
    return tuple(normalise_header(text) for text in texts)


IGNORE = "ignore"  # `[columns] "day" = "ignore"`: never read this header as data
_HEADER_CURRENCY = re.compile(r"^(.*?)\s*\(([a-z]{3})\)$")


def header_lookup(spec: SheetSpec, mapping: Mapping[str, str]) -> dict[str, str]:
    """normalised header → canonical column ("" = deliberately not this sheet's column).

    The user's `[columns]` mapping wins over built-in aliases; a header mapped to another
    sheet's column (or to "ignore") is never matched by an alias here.
    """
    lookup: dict[str, str] = {}
    for column in spec.columns:
        for key in normalised((column.name, *column.aliases)):
            lookup.setdefault(key, column.name)
    names = {c.name for c in spec.columns}
    for source, canonical in mapping.items():
        lookup[normalise_header(source)] = canonical if canonical in names else ""
    return lookup


def split_header_currency(header: object) -> tuple[str, str | None]:
    """`Amount spent (EUR)` → ("amount spent", "EUR"); other headers → (key, None)."""
    key = normalise_header(header)
    match = _HEADER_CURRENCY.match(key)
    if match and match[2] not in ("utc", "gmt"):
        return match[1], match[2].upper()
    return key, None


def match_headers(
    headers: Iterable[object], spec: SheetSpec, mapping: Mapping[str, str]
) -> dict[int, str]:
    """Position → canonical column for the headers this sheet kind recognises.

    Mapped headers are placed first, so a mapping beats an alias found further left.
    A header with a currency suffix (`Cost (EUR)`) matches like the bare header.
    """
    lookup = header_lookup(spec, mapping)
    mapped = {normalise_header(source) for source in mapping}
    keyed = [
        (position, normalise_header(header), split_header_currency(header)[0])
        for position, header in enumerate(headers)
        if header is not None
    ]
    keyed.sort(key=lambda item: item[1] not in mapped)
    matched: dict[int, str] = {}
    seen: set[str] = set()
    for position, key, bare in keyed:
        canonical = lookup.get(key, lookup.get(bare))
        if canonical and canonical not in seen:
            matched[position] = canonical
            seen.add(canonical)
    return dict(sorted(matched.items()))


def missing_required(
    spec: SheetSpec, present: Iterable[str], provided: Iterable[str] = ()
) -> list[str]:
    """Required columns absent from `present`; `provided` ones come from defaults."""
    have = set(present) | set(provided)
    missing = [c for c in spec.required if c not in have]
    if spec.one_of and not have.intersection(spec.one_of):
        missing.insert(0, " or ".join(spec.one_of))
    return missing


def kinds_for_sheet_name(name: str) -> tuple[SheetKind, ...]:
    """The kinds a sheet's name says, the usual one first: `people` may be either people
    sheet, and its headers decide (`layout.named_kind`)."""
    key = normalise_header(name)
    return tuple(spec.kind for spec in SHEETS.values() if key in normalised(spec.sheet_aliases))


def lacks_signature(spec: SheetSpec, present: Iterable[str]) -> bool:
    """True when headers alone cannot tell this kind of sheet (see `SheetSpec.signature`)."""
    return bool(spec.signature) and not set(spec.signature).intersection(present)


def score_headers(
    headers: list[object],
    spec: SheetSpec,
    mapping: Mapping[str, str],
    provided: Iterable[str] = (),
    named: bool = False,
) -> int:
    """How well a header row fits a sheet kind: columns found (−1 if a required one is not).

    `named`: the sheet's name already says its kind, so its signature is not needed.
    """
    present = set(match_headers(headers, spec, mapping).values())
    if missing_required(spec, present, provided) or (not named and lacks_signature(spec, present)):
        return -1
    return len(present)
