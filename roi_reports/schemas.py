"""Canonical sheets and columns (SPEC §2), their aliases in en/fi/fa, and header matching.

Everything that says what a sheet *is* lives here; readers find tables, validation checks
values against these definitions, and the pipeline only ever sees canonical names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

SheetKind = Literal["results", "costs", "targets", "fx_rates"]
ColumnType = Literal["date", "period", "text", "count", "money", "number", "currency", "month"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: ColumnType
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetSpec:
    kind: SheetKind
    columns: tuple[ColumnSpec, ...]
    sheet_aliases: tuple[str, ...]
    # at least one of these must be present (date or period)
    one_of: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


_DATE = ColumnSpec("date", "date", aliases=("day", "päivä", "päivämäärä", "pvm", "تاریخ"))
_PERIOD = ColumnSpec("period", "period", aliases=("kausi", "jakso", "دوره"))
_CHANNEL = ColumnSpec("channel", "text", aliases=("kanava", "کانال", "source"))
_CAMPAIGN = ColumnSpec("campaign", "text", aliases=("kampanja", "کمپین"))
_EMPLOYEE = ColumnSpec(
    "employee", "text", aliases=("työntekijä", "myyjä", "کارمند", "salesperson", "owner")
)
_CURRENCY = ColumnSpec("currency", "currency", aliases=("valuutta", "ارز"))

RESULTS = SheetSpec(
    "results",
    (
        _DATE,
        _PERIOD,
        replace(_CHANNEL, required=True),
        _CAMPAIGN,
        _EMPLOYEE,
        ColumnSpec("contacts", "count", True, ("yhteydet", "kontaktit", "liidit", "تماس", "leads")),
        ColumnSpec("conversions", "count", True, ("konversiot", "kaupat", "تبدیل")),
        ColumnSpec("revenue", "money", True, ("tulot", "liikevaihto", "myynti", "درآمد")),
        ColumnSpec("gross_profit", "money", False, ("myyntikate", "kate", "سود ناخالص")),
        _CURRENCY,
    ),
    sheet_aliases=("results", "result", "tulokset", "نتایج"),
    one_of=("date", "period"),
)

COSTS = SheetSpec(
    "costs",
    (
        _DATE,
        _PERIOD,
        _CHANNEL,
        _CAMPAIGN,
        _EMPLOYEE,
        ColumnSpec("category", "text", False, ("kategoria", "kululaji", "دسته", "type")),
        ColumnSpec("amount", "money", True, ("kulut", "kustannus", "summa", "هزینه", "cost")),
        _CURRENCY,
    ),
    sheet_aliases=("costs", "cost", "kulut", "kustannukset", "هزینه‌ها", "هزینه ها"),
    one_of=("date", "period"),
)

TARGETS = SheetSpec(
    "targets",
    (
        ColumnSpec("period", "period", True, ("kausi", "jakso", "دوره")),
        ColumnSpec("dimension", "text", True, ("ulottuvuus", "بعد")),
        ColumnSpec("name", "text", False, ("nimi", "نام")),
        ColumnSpec("metric", "text", True, ("mittari", "شاخص")),
        ColumnSpec("target", "number", True, ("tavoite", "هدف")),
    ),
    sheet_aliases=("targets", "target", "tavoitteet", "اهداف"),
)

FX_RATES = SheetSpec(
    "fx_rates",
    (
        ColumnSpec("currency", "currency", True, ("valuutta", "ارز")),
        ColumnSpec("month", "month", True, ("kuukausi", "ماه")),
        ColumnSpec("rate", "number", True, ("kurssi", "نرخ")),
    ),
    sheet_aliases=("fx_rates", "fx rates", "fx", "rates", "valuuttakurssit", "نرخ ارز"),
)

SHEETS: dict[SheetKind, SheetSpec] = {s.kind: s for s in (RESULTS, COSTS, TARGETS, FX_RATES)}
ALL_CANONICAL_COLUMNS: frozenset[str] = frozenset(
    c.name for s in SHEETS.values() for c in s.columns
)
TARGET_DIMENSIONS = ("channel", "employee", "campaign", "total")


def normalise_header(text: object) -> str:
    """Case-, space-, underscore- and accent-insensitive key for a header or sheet name.

    Finnish ä/ö are folded to a/o too, so `Tyontekija` matches `Työntekijä`; Persian
    zero-width non-joiners and Arabic/Persian letter variants are unified.
    """
    value = unicodedata.normalize("NFKD", str(text)).casefold()
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.replace("\u200c", " ").replace("ي", "ی").replace("ك", "ک")
    return re.sub(r"[\s_\-.:]+", " ", value).strip()


def header_lookup(spec: SheetSpec, mapping: Mapping[str, str]) -> dict[str, str]:
    """normalised header → canonical column, for one sheet kind.

    The user's `[columns]` mapping wins over built-in aliases.
    """
    lookup: dict[str, str] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(normalise_header(alias), column.name)
    names = {c.name for c in spec.columns}
    for source, canonical in mapping.items():
        if canonical in names:
            lookup[normalise_header(source)] = canonical
    return lookup


def match_headers(
    headers: Iterable[object], spec: SheetSpec, mapping: Mapping[str, str]
) -> dict[int, str]:
    """Position → canonical column for the headers this sheet kind recognises."""
    lookup = header_lookup(spec, mapping)
    matched: dict[int, str] = {}
    seen: set[str] = set()
    for position, header in enumerate(headers):
        canonical = lookup.get(normalise_header(header)) if header is not None else None
        if canonical and canonical not in seen:
            matched[position] = canonical
            seen.add(canonical)
    return matched


def missing_required(spec: SheetSpec, present: Iterable[str]) -> list[str]:
    have = set(present)
    missing = [c for c in spec.required if c not in have]
    if spec.one_of and not have.intersection(spec.one_of):
        missing.insert(0, " or ".join(spec.one_of))
    return missing


def kind_for_sheet_name(name: str) -> SheetKind | None:
    key = normalise_header(name)
    for spec in SHEETS.values():
        if key in {normalise_header(a) for a in spec.sheet_aliases}:
            return spec.kind
    return None


def score_headers(headers: list[object], spec: SheetSpec, mapping: Mapping[str, str]) -> int:
    """How well a header row fits a sheet kind: required columns found (−1 if none)."""
    present = set(match_headers(headers, spec, mapping).values())
    if missing_required(spec, present):
        return -1
    return len(present)
