"""Canonical sheets and columns (SPEC §2) with their aliases in en/fi/fa and de/sv/fr/es.

Everything that says what a sheet *is* lives here; `headers` matches a file's headers
against these definitions, validation checks values against them, and the pipeline only
ever sees canonical names.
"""

from __future__ import annotations

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
    # `people` is also the employees sheet's name: a people sheet with a scope or formats
    # column is this one
    sheet_aliases=(
        "stakeholders",
        "recipients",
        "sidosryhmät",
        "vastaanottajat",
        "ذینفعان",
        "people",
    ),
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
