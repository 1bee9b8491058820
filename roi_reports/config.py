"""`roi-reports.toml` → frozen dataclasses, validated once when loaded (SPEC §5).

Unknown keys and wrong types are errors that name the key, so a typo never silently
falls back to a default.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

from roi_reports.email_settings import (
    EmailConfig,
    Stakeholder,
    check_header_text,
    check_stakeholders,
)
from roi_reports.errors import ConfigError
from roi_reports.i18n import N_, gettext_for

__all__ = [
    "Config",
    "EmailConfig",
    "EngineConfig",
    "ReportConfig",
    "Stakeholder",
    "load_config",
    "parse_config",
]

ProfitBasis = Literal["revenue", "gross_profit"]
SharedCosts = Literal["none", "revenue", "cost", "contacts", "even"]
Language = Literal["en", "fi", "fa"]
Paper = Literal["A4", "Letter"]
Orientation = Literal["portrait", "landscape"]

CONFIG_FILE_NAME = "roi-reports.toml"
LANGUAGES: tuple[str, ...] = get_args(Language)
DEFAULT_TITLE = N_("ROI report")
# titles the tool ships (the default, and the one `init` writes): translated for each reader
SHIPPED_TITLES = (DEFAULT_TITLE, N_("Marketing ROI"))


@dataclass(frozen=True)
class ReportConfig:
    """The `[report]` section: how numbers are computed and presented."""

    currency: str = "EUR"
    language: Language = "en"
    profit_basis: ProfitBasis = "revenue"
    # None means every cost category counts as investment (SPEC §3).
    investment_categories: tuple[str, ...] | None = None
    shared_costs: SharedCosts = "none"
    hurdle_roi_pct: float | None = None
    fiscal_year_start: int = 1
    timezone: str = "UTC"
    title: str = DEFAULT_TITLE
    # the title in one language, for its recipients' emails and reports (see `title_in`)
    title_en: str | None = None
    title_fi: str | None = None
    title_fa: str | None = None
    logo: str | None = None
    template_dir: str | None = None
    paper: Paper = "A4"
    orientation: Orientation = "portrait"

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start <= 12:
            raise ConfigError(
                f"[report] fiscal_year_start = {self.fiscal_year_start}: use a month number 1–12"
            )
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ConfigError(
                f"[report] currency = {self.currency!r}: use a 3-letter ISO code such as EUR"
            )
        object.__setattr__(self, "currency", self.currency.upper())
        _check_timezone(self.timezone)
        for key in ("title", *(f"title_{language}" for language in LANGUAGES)):
            if getattr(self, key) is not None:  # it goes into email subjects
                check_header_text(f"[report] {key}", getattr(self, key))

    def now(self) -> datetime:
        """The current time in the configured time zone (what "previous month" means)."""
        return datetime.now(ZoneInfo(self.timezone))

    def title_in(self, language: str) -> str:
        """The title for a reader of `language`: its own `title_<language>` if given; the
        shipped default title (or its translation, as `init --language` writes it)
        translated; any other title as written."""
        own = getattr(self, f"title_{language}", None)
        if own:
            return str(own)
        for default in SHIPPED_TITLES:
            if self.title in {default, *(gettext_for(lang)(default) for lang in LANGUAGES)}:
                return gettext_for(language)(default)
        return self.title


Preset = Literal[
    "auto",
    "none",
    "google_ads",
    "meta_ads",
    "linkedin_ads",
    "microsoft_ads",
    "tiktok_ads",
    "ga4",
    "salesforce",
    "hubspot",
    "shopify",
]
# "counts": each row carries its own contacts, conversions and revenue; "records": each
# row is one deal or order (a won deal or a distinct order id is one conversion)
RowsMode = Literal["counts", "records"]


@dataclass(frozen=True)
class InputConfig:
    """The `[input]` section: limits against hostile files and defaults for bare exports."""

    max_file_mb: float = 200.0
    # uncompressed size of an .xlsx/.ods, checked before parsing (zip-bomb guard)
    max_unpacked_mb: float = 2000.0
    max_rows: int = 2_000_000
    preset: Preset = "auto"
    # for exports without such a column: rows get this channel / period
    channel: str | None = None
    period: str | None = None
    # how text files are read; detected from the header line when not set
    delimiter: str | None = None
    encoding: str | None = None
    rows: RowsMode = "counts"
    # keep the valid rows of a file and report the invalid ones as skipped
    skip_invalid_rows: bool = False

    def __post_init__(self) -> None:
        for key in ("max_file_mb", "max_unpacked_mb", "max_rows"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"[input] {key} = {getattr(self, key)}: use a positive number")
        if self.delimiter is not None:
            if self.delimiter in ("tab", "\\t"):
                object.__setattr__(self, "delimiter", "\t")
            elif len(self.delimiter) != 1:
                raise ConfigError(
                    f"[input] delimiter = {self.delimiter!r}: use one character such as "
                    '";" or "," (or "tab")'
                )
        if self.encoding is not None:
            import codecs

            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ConfigError(
                    f"[input] encoding = {self.encoding!r}: unknown encoding; use e.g. "
                    '"utf-8", "utf-16" or "cp1252"'
                ) from None


ScopeKind = Literal["all", "channel", "employee", "campaign", "team"]


@dataclass(frozen=True)
class OutputConfig:
    """The `[output]` section: which PDF reports the monthly job writes."""

    # kinds of report: the executive summary ("all") and one per channel/employee/campaign/
    # team with data in the period; stakeholders' own scopes are always added.
    pdf_scopes: tuple[ScopeKind, ...] = ("all", "channel", "employee")
    # limits per PDF, enforced in the worker process that renders it
    pdf_timeout_s: float = 300.0
    pdf_memory_mb: float = 2048.0

    def __post_init__(self) -> None:
        for key in ("pdf_timeout_s", "pdf_memory_mb"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"[output] {key} = {getattr(self, key)}: use a positive number")
        kinds = get_args(ScopeKind)
        for kind in self.pdf_scopes:
            if kind not in kinds:
                raise ConfigError(
                    f"[output] pdf_scopes: unknown kind {kind!r}; use any of {', '.join(kinds)}"
                )


@dataclass(frozen=True)
class SanityConfig:
    """The `[sanity]` section: limits beyond which a figure is flagged for a second look."""

    max_roas: float = 20.0  # revenue / cost above this usually means missing costs
    max_change_pct: float = 50.0  # revenue or cost change against the previous period

    def __post_init__(self) -> None:
        for key in ("max_roas", "max_change_pct"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"[sanity] {key} = {getattr(self, key)}: use a positive number")


EngineKind = Literal["pandas", "dask"]


@dataclass(frozen=True)
class EngineConfig:
    """The `[engine]` section: where the one heavy step (summing rows to months) runs."""

    kind: EngineKind = "pandas"
    # a running Dask scheduler ("tcp://host:8786"); without it a local cluster of processes
    scheduler: str | None = None
    partition_size: int = 1_000_000  # rows per Dask partition (Parquet row groups are kept whole)
    connect_timeout_s: float = 5.0  # how long to wait for the scheduler before giving up

    def __post_init__(self) -> None:
        for key in ("partition_size", "connect_timeout_s"):
            if getattr(self, key) <= 0:
                raise ConfigError(f"[engine] {key} = {getattr(self, key)}: use a positive number")


@dataclass(frozen=True)
class Config:
    report: ReportConfig = field(default_factory=ReportConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    sanity: SanityConfig = field(default_factory=SanityConfig)
    # source header (as written in the sheet) → canonical column name
    columns: dict[str, str] = field(default_factory=dict)
    source: Path | None = None
    input: InputConfig = field(default_factory=InputConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    stakeholders: tuple[Stakeholder, ...] = ()
    engine: EngineConfig = field(default_factory=EngineConfig)
    # false while [report] currency is left at its default: a single currency in the data
    # may then be the reporting currency (SPEC §2)
    currency_configured: bool = False


def _check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"[report] timezone = {name!r} is not an IANA time zone (e.g. Europe/Helsinki)"
        ) from None


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """Check `value` against a field annotation; return it in the field's shape."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (types.UnionType,) or str(origin) == "typing.Union":
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(key, value, arg)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0])
    if origin is Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(f"{key} = {value!r}: choose one of {choices}")
        return value
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key}: expected a list of strings, got {value!r}")
        return tuple(value)
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected a whole number, got {value!r}")
        return value
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {value!r}")
        return value
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected text, got {value!r}")
        return value
    raise ConfigError(f"{key}: unsupported setting type {_type_name(annotation)}")


def _section(cls: type, name: str, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{name}] must be a table of settings")
    hints = get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.metadata.get("config", True)]
    known = {f.name for f in fields}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(
            f"unknown setting [{name}] {unknown[0]}: known settings are {', '.join(sorted(known))}"
        )
    missing = [
        f.name
        for f in fields
        if f.name not in raw
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"[{name}] needs {missing[0]} = …")
    values = {k: _coerce(f"[{name}] {k}", v, hints[k]) for k, v in raw.items()}
    return cls(**values)


def _columns(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ConfigError('[columns] maps header text to a column name, e.g. "Kulut" = "amount"')
    from roi_reports.ingest.schemas import ALL_CANONICAL_COLUMNS

    for header, column in raw.items():
        if column not in ALL_CANONICAL_COLUMNS and column != "ignore":
            raise ConfigError(
                f'[columns] "{header}" = "{column}": unknown column; use one of '
                + ", ".join(sorted(ALL_CANONICAL_COLUMNS))
                + ' (or "ignore")'
            )
    return dict(raw)


def _stakeholders(raw: Any) -> tuple[Stakeholder, ...]:
    if not isinstance(raw, list):
        raise ConfigError("write each stakeholder as its own [[stakeholders]] table")
    people = tuple(
        _section(Stakeholder, f"stakeholders #{number}", entry)
        for number, entry in enumerate(raw, start=1)
    )
    return check_stakeholders(people)


KNOWN_SECTIONS = {
    "report",
    "columns",
    "input",
    "output",
    "sanity",
    "email",
    "stakeholders",
    "engine",
}


def parse_config(data: dict[str, Any], source: Path | None = None) -> Config:
    unknown = sorted(set(data) - KNOWN_SECTIONS)
    if unknown:
        raise ConfigError(
            f"unknown section [{unknown[0]}]: known sections are "
            + ", ".join(f"[{s}]" for s in sorted(KNOWN_SECTIONS))
        )
    report = _section(ReportConfig, "report", data.get("report", {}))
    inputs = _section(InputConfig, "input", data.get("input", {}))
    if inputs.period is not None:
        _check_period(inputs.period, report.fiscal_year_start)
    output = _section(OutputConfig, "output", data.get("output", {}))
    return Config(
        report=report,
        output=output,
        sanity=_section(SanityConfig, "sanity", data.get("sanity", {})),
        columns=_columns(data.get("columns", {})),
        source=source,
        input=inputs,
        email=_section(EmailConfig, "email", data.get("email", {})),
        stakeholders=_stakeholders(data.get("stakeholders", [])),
        engine=_section(EngineConfig, "engine", data.get("engine", {})),
        currency_configured="currency" in data.get("report", {}),
    )


def _check_period(text: str, fiscal_year_start: int) -> None:
    from roi_reports.errors import UsageError
    from roi_reports.periods import parse_period

    try:
        parse_period(text, fiscal_year_start=fiscal_year_start)
    except UsageError as exc:
        raise ConfigError(f"[input] period: {exc}") from None


def load_config(path: Path | str | None) -> Config:
    """Load a config file; `None` gives the defaults of SPEC §5."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    try:
        return parse_config(data, source=path)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
