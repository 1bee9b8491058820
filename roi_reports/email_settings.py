"""The `[email]` and `[[stakeholders]]` settings (SPEC §5), checked when the config loads.

Everything that ends up in a mail header is validated here, once: no CR/LF (header
injection), addresses that a server will accept, a scope the report engine understands.
`config.py` re-exports both classes and parses them like its other sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from roi_reports.errors import ConfigError, UsageError
from roi_reports.scopes import Scope

Security = Literal["none", "starttls", "ssl"]
Language = Literal["en", "fi", "fa"]
ManagerReports = Literal["team", "team+members"]
FORMATS = ("pdf", "xlsx")
# dataclass fields filled by the folder job, never read from roi-reports.toml
NOT_IN_CONFIG = {"config": False}

# ASCII addresses only: a server without SMTPUTF8 rejects anything else at send time,
# which is too late to tell the user. The domain needs a dot, except `localhost`.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_LOCAL}@(?:{_LABEL}(?:\.{_LABEL})+|localhost)")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_email_address(text: str) -> bool:
    return len(text) <= 254 and _ADDRESS.fullmatch(text) is not None


def check_address(where: str, text: str) -> str:
    """`text` if it is a plain address such as aino@example.com, else a ConfigError."""
    if not is_email_address(text):
        raise ConfigError(
            f"{where} = {text!r} is not a valid email address; write it as name@example.com "
            "(ASCII, no display name)"
        )
    return text


def check_header_text(where: str, text: str) -> str:
    """Text that goes into a mail header: one line, no control characters.

    A line break would inject headers; NUL, VT, FF, FS, GS, RS and the like end up raw in
    a Subject or a To display name, where mail programs cut or garble the header. They are
    refused rather than stripped: the setting's author decides what the text should be.
    """
    if any(ch in text for ch in "\r\n\u2028\u2029\x85"):
        raise ConfigError(f"{where} contains a line break; write it on one line")
    bad = next((ch for ch in text if _is_control(ch)), None)
    if bad is not None:
        raise ConfigError(
            f"{where} contains the control character U+{ord(bad):04X} at position "
            f"{text.index(bad) + 1}; remove it"
        )
    return text


def _is_control(char: str) -> bool:
    """C0 and C1 controls and DEL (a tab included: it has no place in a name or title)."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


@dataclass(frozen=True)
class EmailConfig:
    """The `[email]` section: how reports are delivered (disabled → .eml files)."""

    enabled: bool = False
    host: str = "localhost"
    port: int = 25
    security: Security = "none"
    username: str | None = None
    # Name of the environment variable holding the password; never the password itself.
    password_env: str | None = None
    sender: str | None = None
    subject: str = "{{ title }} — {{ period }}"
    timeout_s: float = 30.0
    retries: int = 3  # extra attempts after a temporary failure (4xx, lost connection)
    retry_delay_s: float = 2.0  # first wait; doubles on each retry
    max_attachment_mb: float = 20.0  # hard limit: a report alone above it cannot be sent
    # budget per message: above it only the recipient's own report is attached and the
    # body names the files left out (never a silent drop)
    max_message_mb: float = 10.0
    # hold every report email of a period until `roi-reports approve --period P`
    require_approval: bool = False
    ca_file: str | None = None  # extra CA certificates (PEM) for an internal mail server
    # a workbook or CSV with a stakeholders (and/or employees) sheet, relative to the config
    stakeholders_file: str | None = None
    # every employee of the employees sheet with data in the period gets their own report
    employee_reports: bool = False
    # each manager (employees' manager_email) gets their team's report; "team+members"
    # attaches each member's report too
    manager_reports: ManagerReports | None = None
    # What the mail service allows; left out: no limit of our own.
    max_per_minute: int | None = None  # messages started in any 60 seconds
    max_per_connection: int | None = None  # then QUIT and log in again on a new connection
    # messages handed to the server per calendar day in [report] timezone, counted from
    # the ledger across runs; over it the rest are `deferred` and the next run continues
    max_per_day: int | None = None
    # A throttle answer (421, 451 4.7.x, 452 "too many") pauses this long, doubling while
    # the server keeps throttling; after max_throttle_wait_min without one message
    # accepted the rest are `deferred` to the next run.
    throttle_pause_s: float = 60.0
    max_throttle_wait_min: float = 30.0

    def __post_init__(self) -> None:
        check_header_text("[email] host", self.host)
        if not 0 < self.port < 65536:
            raise ConfigError(f"[email] port = {self.port}: use a port number 1–65535")
        if self.username is not None:
            check_header_text("[email] username", self.username)
        if self.password_env is not None and not _ENV_NAME.fullmatch(self.password_env):
            raise ConfigError(
                f"[email] password_env = {self.password_env!r}: give the name of an "
                "environment variable (e.g. ROI_SMTP_PASSWORD), not the password"
            )
        if self.sender is not None:
            check_address("[email] sender", self.sender)
        elif self.enabled:
            raise ConfigError(
                '[email] enabled = true needs a sender: add sender = "reports@example.com"'
            )
        check_header_text("[email] subject", self.subject)
        _check_template("[email] subject", self.subject)
        for name in ("timeout_s", "max_attachment_mb", "max_message_mb", "max_throttle_wait_min"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"[email] {name} = {getattr(self, name)}: use a positive number")
        for name in ("max_per_minute", "max_per_connection", "max_per_day"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigError(
                    f"[email] {name} = {value}: use a positive whole number, or leave the "
                    "setting out for no limit"
                )
        if self.throttle_pause_s < 0:
            raise ConfigError("[email] throttle_pause_s cannot be negative")
        if self.retries < 0 or self.retry_delay_s < 0:
            raise ConfigError("[email] retries and retry_delay_s cannot be negative")

    @property
    def max_attachment_bytes(self) -> int:
        return int(self.max_attachment_mb * 1024 * 1024)

    @property
    def max_message_bytes(self) -> int:
        return int(self.max_message_mb * 1024 * 1024)


@dataclass(frozen=True)
class Stakeholder:
    """One `[[stakeholders]]` entry: who gets which reports, in which language."""

    name: str
    email: str
    scope: str = "all"  # normalised label, e.g. "employee:Aino Virtanen"
    language: Language | None = None  # None → [report] language
    formats: tuple[str, ...] = ("pdf",)
    # reports attached after the person's own (a manager's team members), scope labels
    attach_scopes: tuple[str, ...] = field(default=(), metadata=NOT_IN_CONFIG)
    # where the person comes from: "config", a sheet's row, "employees", "manager"
    origin: str = field(default="config", metadata=NOT_IN_CONFIG)

    def __post_init__(self) -> None:
        where = f"[[stakeholders]] {self.name!r}"
        check_header_text(f"{where} name", self.name)
        if not self.name.strip():
            raise ConfigError("[[stakeholders]] name is empty; give each stakeholder a name")
        check_address(f"{where} email", self.email)
        check_header_text(f"{where} scope", self.scope)
        try:
            label = Scope.parse(self.scope).label
        except UsageError as exc:
            raise ConfigError(f"{where} scope: {exc}") from None
        object.__setattr__(self, "scope", label)
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise ConfigError(
                f'{where} formats = {list(self.formats)!r}: use one or both of "pdf", "xlsx"'
            )


def check_stakeholders(stakeholders: tuple[Stakeholder, ...]) -> tuple[Stakeholder, ...]:
    """The ledger keys on (email, scope), so the same pair twice would be ambiguous."""
    seen: set[tuple[str, str]] = set()
    for person in stakeholders:
        key = (person.email.lower(), person.scope)
        if key in seen:
            raise ConfigError(
                f"[[stakeholders]] {person.email} with scope {person.scope!r} is listed twice; "
                "remove one entry"
            )
        seen.add(key)
    return stakeholders


SUBJECT_VARIABLES = ("title", "period", "scope", "name")


def _check_template(where: str, text: str) -> None:
    """Render once with sample values, so a typo fails at load time, not mid-delivery."""
    from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError

    try:
        template = Environment(undefined=StrictUndefined).from_string(text)
        template.render({name: name for name in SUBJECT_VARIABLES})
    except TemplateSyntaxError as exc:
        raise ConfigError(f"{where} is not a valid template: {exc.message}") from None
    except UndefinedError as exc:
        known = ", ".join("{{ " + name + " }}" for name in SUBJECT_VARIABLES)
        raise ConfigError(f"{where}: {exc.message}; use {known}") from None
