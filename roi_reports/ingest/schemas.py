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

from roi_reports.validation import Severity

SheetKind = Literal["results", "costs", "targets", "fx_rates", "employees", "stakeholders"]
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
    # a sheet recognised by its headers alone (not by its name) needs one of these: a lone
    # `employee` column is any data sheet, `employee` beside `team` is an employees sheet
    signature: tuple[str, ...] = ()
    # people sheets: a bad row stops only that person, so its problems are warnings and
    # never quarantine the workbook that carries them
    row_severity: Severity = "error"

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


# aliases in en/fi/fa and de/sv/fr/es (and nl where it differs), matched after
# normalise_header (case, accents and separators folded)
_DATE = ColumnSpec(
    "date",
    "date",
    aliases=(
        "day",
        "päivä",
        "päivämäärä",
        "pvm",
        "تاریخ",
        "datum",
        "tag",
        "dag",
        "jour",
        "fecha",
        "dia",
    ),
)
_PERIOD = ColumnSpec(
    "period",
    "period",
    aliases=("kausi", "jakso", "دوره", "zeitraum", "periode", "période", "periodo"),
)
_CHANNEL = ColumnSpec(
    "channel", "text", aliases=("kanava", "کانال", "source", "kanal", "canal", "quelle", "källa")
)
_CAMPAIGN = ColumnSpec(
    "campaign", "text", aliases=("kampanja", "کمپین", "kampagne", "kampanj", "campagne", "campaña")
)
_EMPLOYEE = ColumnSpec(
    "employee",
    "text",
    aliases=(
        "työntekijä",
        "myyjä",
        "کارمند",
        "salesperson",
        "owner",
        "mitarbeiter",
        "verkäufer",
        "anställd",
        "säljare",
        "employé",
        "vendeur",
        "commercial",
        "empleado",
        "vendedor",
        "comercial",
    ),
)
_CURRENCY = ColumnSpec(
    "currency", "currency", aliases=("valuutta", "ارز", "währung", "valuta", "devise", "moneda")
)

RESULTS = SheetSpec(
    "results",
    (
        _DATE,
        _PERIOD,
        replace(_CHANNEL, required=True),
        _CAMPAIGN,
        _EMPLOYEE,
        ColumnSpec(
            "contacts",
            "count",
            True,
            (
                "yhteydet",
                "kontaktit",
                "liidit",
                "تماس",
                "leads",
                "kontakte",
                "kontakter",
                "contactos",
                "prospects",
            ),
        ),
        ColumnSpec(
            "conversions",
            "count",
            True,
            (
                "konversiot",
                "kaupat",
                "تبدیل",
                "konversionen",
                "abschlüsse",
                "konverteringar",
                "affärer",
                "conversiones",
                "ventes",
                "ventas",
            ),
        ),
        ColumnSpec(
            "revenue",
            "money",
            True,
            (
                "tulot",
                "liikevaihto",
                "myynti",
                "درآمد",
                "umsatz",
                "erlös",
                "erlöse",
                "intäkter",
                "omsättning",
                "chiffre d'affaires",
                "revenus",
                "ingresos",
                "facturación",
            ),
        ),
        ColumnSpec(
            "gross_profit",
            "money",
            False,
            (
                "myyntikate",
                "kate",
                "سود ناخالص",
                "rohertrag",
                "deckungsbeitrag",
                "bruttovinst",
                "täckningsbidrag",
                "marge brute",
                "margen bruto",
            ),
        ),
        _CURRENCY,
        # row-per-record exports: the deal or order a row belongs to, and its stage
        ColumnSpec("record", "text"),
        ColumnSpec("status", "text"),
    ),
    sheet_aliases=(
        "results",
        "result",
        "tulokset",
        "نتایج",
        "ergebnisse",
        "resultat",
        "résultats",
        "resultados",
    ),
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
        ColumnSpec(
            "category",
            "text",
            False,
            (
                "kategoria",
                "kululaji",
                "دسته",
                "type",
                "kategorie",
                "kostenart",
                "kategori",
                "catégorie",
                "categoría",
            ),
        ),
        ColumnSpec(
            "amount",
            "money",
            True,
            (
                "kulut",
                "kustannus",
                "summa",
                "هزینه",
                "cost",
                "kosten",
                "betrag",
                "kostnad",
                "kostnader",
                "belopp",
                "coût",
                "coûts",
                "montant",
                "coste",
                "costes",
                "costo",
                "importe",
                "gasto",
            ),
        ),
        _CURRENCY,
    ),
    sheet_aliases=(
        "costs",
        "cost",
        "kulut",
        "kustannukset",
        "هزینه‌ها",
        "هزینه ها",
        "kosten",
        "kostnader",
        "coûts",
        "costes",
        "costos",
    ),
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

_EMAIL = ColumnSpec(
    "email", "text", aliases=("e-mail", "email address", "sähköposti", "ایمیل", "رایانامه")
)
_LANGUAGE = ColumnSpec("language", "text", aliases=("kieli", "زبان"))
_NAME_ALIASES = ("nimi", "نام")

# who is in which team and region, and who manages them (SPEC §2, §4)
EMPLOYEES = SheetSpec(
    "employees",
    (
        replace(_EMPLOYEE, required=True, aliases=(*_EMPLOYEE.aliases, "name", *_NAME_ALIASES)),
        _EMAIL,
        ColumnSpec("team", "text", aliases=("tiimi", "ryhmä", "تیم")),
        ColumnSpec("region", "text", aliases=("alue", "منطقه")),
        ColumnSpec(
            "manager_email",
            "text",
            aliases=("manager", "esihenkilö", "esimies", "ایمیل مدیر", "مدیر"),
        ),
        _LANGUAGE,
    ),
    sheet_aliases=("employees", "people", "staff", "työntekijät", "henkilöstö", "کارمندان"),
    signature=("email", "team", "region", "manager_email", "language"),
    row_severity="warning",
)

# who gets which reports (SPEC §5 [[stakeholders]], kept in a sheet)
STAKEHOLDERS = SheetSpec(
    "stakeholders",
    (
        ColumnSpec("name", "text", aliases=_NAME_ALIASES),
        replace(_EMAIL, required=True),
        ColumnSpec("scope", "text", aliases=("rajaus", "laajuus", "محدوده")),
        _LANGUAGE,
        ColumnSpec("formats", "text", aliases=("format", "muodot", "tiedostomuodot", "قالب")),
    ),
    sheet_aliases=("stakeholders", "recipients", "sidosryhmät", "vastaanottajat", "ذینفعان"),
    signature=("scope", "formats"),
    row_severity="warning",
)

SHEETS: dict[SheetKind, SheetSpec] = {
    s.kind: s for s in (RESULTS, COSTS, TARGETS, FX_RATES, EMPLOYEES, STAKEHOLDERS)
}
PEOPLE_KINDS: tuple[SheetKind, ...] = ("employees", "stakeholders")
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


IGNORE = "ignore"  # `[columns] "day" = "ignore"`: never read this header as data
# first cell of a trailing totals row (matched after normalise_header)
TOTAL_LABELS = frozenset(
    normalise_header(word)
    for word in (
        "total",
        "totals",
        "grand total",
        "grand totals",
        "sum",
        "yhteensä",
        "summa",
        "جمع",
        "summe",
        "gesamt",
        "gesamtsumme",
        "insgesamt",
        "totalt",
        "total général",
        "total general",
        "totaal",
        "totales",
    )
)
_HEADER_CURRENCY = re.compile(r"^(.*?)\s*\(([a-z]{3})\)$")


def header_lookup(spec: SheetSpec, mapping: Mapping[str, str]) -> dict[str, str]:
    """normalised header → canonical column ("" = deliberately not this sheet's column).

    The user's `[columns]` mapping wins over built-in aliases; a header mapped to another
    sheet's column (or to "ignore") is never matched by an alias here.
    """
    lookup: dict[str, str] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            lookup.setdefault(normalise_header(alias), column.name)
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


def kind_for_sheet_name(name: str) -> SheetKind | None:
    key = normalise_header(name)
    for spec in SHEETS.values():
        if key in {normalise_header(a) for a in spec.sheet_aliases}:
            return spec.kind
    return None


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
