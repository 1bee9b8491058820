"""Deliver each stakeholder's reports for one period: send them, or write `.eml` files.

One email per stakeholder and period. Sending goes through the ledger (intent → send →
mark, see dispatch.py), so a rerun never mails the same report to the same person twice
unless forced. A stakeholder whose report cannot be delivered gets a "failed" result,
never a crash: the others still get theirs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from roi_reports.config import LANGUAGES, Config
from roi_reports.delivery.dispatch import Dispatcher
from roi_reports.delivery.ledger import Ledger, Outgoing
from roi_reports.delivery.messages import (
    Attachment,
    HeadlineSource,
    MessageContext,
    build_report_message,
    build_test_message,
    message_bytes,
)
from roi_reports.delivery.pacing import Clock, Eta
from roi_reports.delivery.session import send_single
from roi_reports.delivery.smtp import SendFailed, check_settings
from roi_reports.email_settings import EmailConfig, Stakeholder, is_email_address
from roi_reports.errors import ConfigError, DeliveryError, UsageError
from roi_reports.fsutil import atomic_write_bytes, slug
from roi_reports.i18n import N_, gettext_for

DeliveryStatus = Literal[
    "sent", "already-sent", "possibly-sent", "deferred", "written", "held", "failed"
]
WORKBOOK_KEY = "xlsx"
# From address of dry-run messages when no sender is configured (they are never sent).
DRY_RUN_SENDER = "roi-reports@localhost"


@dataclass(frozen=True)
class Delivery:
    """What happened to one stakeholder's email; one entry of the manifest's deliveries."""

    name: str
    email: str
    scope: str
    attachments: tuple[str, ...]
    status: DeliveryStatus
    message_id: str | None = None
    attempts: int = 0
    error: str | None = None
    eml_path: str | None = None
    note: str | None = None  # e.g. why an "already-sent" message was not sent again

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["attachments"] = list(self.attachments)
        return data


@dataclass(frozen=True)
class _Prepared:
    person: Stakeholder
    files: tuple[Attachment, ...]
    message_id: str
    data: bytes
    note: str | None = None  # files left out of the message, if any

    def delivery(self, status: DeliveryStatus, **details: Any) -> Delivery:
        person = self.person
        names = tuple(f.name for f in self.files)
        details.setdefault("note", self.note)
        return Delivery(
            person.name, person.email, person.scope, names, status, self.message_id, **details
        )


class _Unavailable(Exception):
    """This stakeholder's email cannot be built (no report, too large, unreadable)."""


def deliver(
    config: Config,
    period_label: str,
    headline: HeadlineSource,
    attachments: Mapping[str, Sequence[Path]],
    ledger_path: Path,
    outbox_dir: Path,
    send: bool,
    force: bool = False,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    withheld: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> list[Delivery]:
    """Email (send=True) or write as .eml (send=False) each stakeholder's reports.

    `attachments` maps a scope label ("all", "employee:Aino Virtanen", …) to its PDFs and
    "xlsx" to the workbook; `headline` gives the preformatted KPI text of each body: a
    function of (scope label, language) so each person reads their own figures in their
    own language, or one mapping for everybody. `withheld` maps attachment keys whose file
    failed a check to the reason: whoever needs one of them gets "failed", nothing half
    right is sent. Settings errors (no sender, password variable unset) raise ConfigError
    before anything is sent. `clock` (tests) tells the time and does the waiting.
    """
    now = now or config.report.now()
    report = progress or (lambda _line: None)
    settings = config.email
    sender = _sender(settings, send)
    titles = {language: config.report.title_in(language) for language in LANGUAGES}
    context = MessageContext(
        sender, config.report.title, period_label, settings.subject, headline, now, titles
    )
    route = _Route(config, period_label, send, force, clock or Clock(), report)
    language = config.report.language
    eta = Eta(len(config.stakeholders), settings.max_per_minute if send else None)
    results: list[Delivery] = []
    with route.open(ledger_path, outbox_dir, sender) as deliver_one:
        for person in config.stakeholders:
            result = route.sent_before(person)  # no need to build what goes nowhere
            if result is None:
                try:
                    prepared = _prepare(person, attachments, context, config, withheld or {})
                except _Unavailable as exc:
                    result = Delivery(
                        person.name, person.email, person.scope, (), "failed", error=str(exc)
                    )
                else:
                    result = deliver_one(prepared)
            eta.finished(transmitted=result.attempts > 0, sent=result.status == "sent")
            report(progress_line(result, eta, language))
            results.append(result)
    return results


class _Route:
    """Where prepared messages go: .eml files, held for approval, or the SMTP server."""

    def __init__(
        self,
        config: Config,
        period_label: str,
        send: bool,
        force: bool,
        clock: Clock,
        report: Callable[[str], None],
    ) -> None:
        self.config = config
        self.period_label = period_label
        self.send = send
        self.force = force
        self.clock = clock
        self.report = report
        self._dispatcher: Dispatcher | None = None

    def sent_before(self, person: Stakeholder) -> Delivery | None:
        """Sent or possibly sent by an earlier run (unless forced): what the ledger says."""
        if self._dispatcher is None or self.force:
            return None
        found = self._dispatcher.sent_before(self.period_label, person.email, person.scope)
        if found is None:
            return None
        entry, outcome = found
        names = tuple(name for name, _sha256 in entry.attachments)
        return Delivery(
            person.name,
            person.email,
            person.scope,
            names,
            outcome.status,
            entry.message_id,
            note=outcome.note,
        )

    @contextmanager
    def open(
        self, ledger_path: Path, outbox_dir: Path, sender: str
    ) -> Iterator[Callable[[_Prepared], Delivery]]:
        if not self.send:
            yield lambda prepared: _write_eml(prepared, outbox_dir)
            return
        settings = self.config.email
        login = check_settings(settings)
        with Ledger(ledger_path) as ledger:
            # with require_approval nothing is sent before `roi-reports approve`
            if settings.require_approval and not ledger.approved(self.period_label):
                why = f"waiting for `roi-reports approve --period {self.period_label}`"
                yield lambda prepared: prepared.delivery("held", note=why)
                return
            report = self.config.report
            with Dispatcher(
                settings,
                login,
                sender,
                ledger,
                report.timezone,
                self.clock,
                self.report,
                report.language,
            ) as dispatcher:
                self._dispatcher = dispatcher
                try:
                    yield lambda prepared: self._dispatched(prepared, dispatcher)
                finally:
                    self._dispatcher = None

    def _dispatched(self, prepared: _Prepared, dispatcher: Dispatcher) -> Delivery:
        person = prepared.person
        outgoing = Outgoing(
            self.period_label,
            person.name,
            person.email,
            person.scope,
            tuple((f.name, f.sha256) for f in prepared.files),
            prepared.message_id,
            forced=self.force,
        )
        outcome = dispatcher.dispatch(outgoing, prepared.data)
        details: dict[str, Any] = {"attempts": outcome.attempts, "error": outcome.error}
        if outcome.note is not None:
            details["note"] = outcome.note
        return prepared.delivery(outcome.status, **details)


def describe(result: Delivery, language: str = "en") -> str:
    """One line per stakeholder for the console and logs."""
    _ = gettext_for(language)
    who = f"{result.name} <{result.email}> ({result.scope})"
    if result.status == "sent":
        return _("sent to {who}: {files}").format(who=who, files=", ".join(result.attachments))
    if result.status == "written":
        return _("wrote {path} for {who}").format(path=result.eml_path, who=who)
    if result.status == "already-sent":
        return _("not sent again to {who}: {why}").format(who=who, why=result.note)
    if result.status == "possibly-sent":
        return _("possibly sent to {who}: {why}").format(who=who, why=result.note)
    if result.status == "deferred":
        return _("deferred for {who}: {why}").format(who=who, why=result.note)
    if result.status == "held":
        return _("held for approval: {who}: {why}").format(who=who, why=result.note)
    return _("FAILED for {who}: {error}").format(who=who, error=result.error)


def progress_line(result: Delivery, eta: Eta, language: str = "en") -> str:
    """`[12/200] sent to … · 12 sent, about 3 min left` (the estimate while sending)."""
    _ = gettext_for(language)
    line = f"[{eta.done}/{eta.total}] {describe(result, language)}"
    if result.status == "written" or eta.done >= eta.total:
        return line
    minutes = max(1, math.ceil(eta.minutes_left()))
    left = _("{sent} sent, about {minutes} min left").format(sent=eta.sent, minutes=minutes)
    return f"{line} · {left}"


STATUS_WORDS: dict[DeliveryStatus, str] = {
    "sent": N_("{count} sent"),
    "written": N_("{count} written"),
    "already-sent": N_("{count} already sent"),
    "possibly-sent": N_("{count} possibly sent"),
    "deferred": N_("{count} deferred to the next run"),
    "held": N_("{count} held for approval"),
    "failed": N_("{count} failed"),
}
# Statuses the summary names person by person (the first few of each), in this order.
NAMED: tuple[DeliveryStatus, ...] = ("failed", "possibly-sent", "deferred", "held", "already-sent")
NAMED_AT_MOST = 10


def summary_lines(results: Sequence[Delivery], language: str = "en") -> list[str]:
    """The end-of-run summary: counts by status, then who was not sent to this run."""
    _ = gettext_for(language)
    counts = {status: sum(r.status == status for r in results) for status in STATUS_WORDS}
    parts = [_(STATUS_WORDS[s]).format(count=n) for s, n in counts.items() if n]
    text = ", ".join(parts) if parts else _("no stakeholders configured")
    lines = [_("Email: {summary}").format(summary=text)]
    for status in NAMED:
        these = [r for r in results if r.status == status]
        lines += [f"  {describe(r, language)}" for r in these[:NAMED_AT_MOST]]
        if len(these) > NAMED_AT_MOST:
            more = _("… and {count} more (manifest.json lists them all)")
            lines.append("  " + more.format(count=len(these) - NAMED_AT_MOST))
    return lines


def any_failed(results: Sequence[Delivery]) -> bool:
    """True when the run should exit 3: a delivery failed, or this run lost a reply."""
    return any(
        r.status == "failed" or (r.status == "possibly-sent" and r.attempts > 0) for r in results
    )


def send_test_message(config: Config, to: str, now: datetime | None = None) -> int:
    """Send one short message to `to` with the [email] settings; return the attempts."""
    if not is_email_address(to):
        raise UsageError(f"--to {to!r} is not an email address; use e.g. you@example.com")
    settings = config.email
    sender = _sender(settings, send=True)
    login = check_settings(settings)
    message = build_test_message(sender, to, now or config.report.now(), config.report.language)
    try:
        return send_single(settings, login, sender, to, message_bytes(message))
    except SendFailed as exc:
        raise DeliveryError(f"test message to {to} not delivered: {exc}") from None


def _sender(settings: EmailConfig, send: bool) -> str:
    if settings.sender is not None:
        return settings.sender
    if send:
        raise ConfigError('[email] sender is not set: add sender = "reports@example.com"')
    return DRY_RUN_SENDER


def _prepare(
    person: Stakeholder,
    attachments: Mapping[str, Sequence[Path]],
    context: MessageContext,
    config: Config,
    withheld: Mapping[str, str],
) -> _Prepared:
    paths = _paths_for(person, attachments, context.period_label, withheld)
    try:
        files = tuple(Attachment.of(Path(path)) for path in paths)
    except OSError as exc:
        raise _Unavailable(f"cannot read attachment {exc.filename}: {exc.strerror}") from None
    settings = config.email
    files, left_out = _within_budget(files, settings.max_message_bytes)
    total = sum(f.size for f in files)
    if total > settings.max_attachment_bytes:
        raise _Unavailable(
            f"attachments total {total / 1024 / 1024:.1f} MB, over [email] max_attachment_mb = "
            f'{settings.max_attachment_mb:g}; raise the limit or use formats = ["pdf"]'
        )
    language = person.language or config.report.language
    message = build_report_message(
        context, person, files, language, left_out, settings.max_message_mb
    )
    note = "left out (over max_message_mb): " + ", ".join(f.name for f in left_out)
    return _Prepared(
        person,
        files,
        str(message["Message-ID"]),
        message_bytes(message),
        note if left_out else None,
    )


def _within_budget(
    files: tuple[Attachment, ...], budget: int
) -> tuple[tuple[Attachment, ...], tuple[Attachment, ...]]:
    """The person's own report always; further files while the message stays in budget."""
    kept, left_out, total = list(files[:1]), [], sum(f.size for f in files[:1])
    for file in files[1:]:
        if total + file.size <= budget:
            kept.append(file)
            total += file.size
        else:
            left_out.append(file)
    return tuple(kept), tuple(left_out)


def _paths_for(
    person: Stakeholder,
    attachments: Mapping[str, Sequence[Path]],
    period_label: str,
    withheld: Mapping[str, str],
) -> list[Path]:
    keys: list[str] = []
    if "pdf" in person.formats:
        # the report in the person's own language when one was made, else the report's
        key = _own_key(person.scope, person.language, attachments, withheld)
        if key not in attachments and key not in withheld:
            raise _Unavailable(
                f"no report for scope {person.scope!r} in {period_label}: no data for it in "
                "that period; check the name is spelled as in the data (`roi-reports plan` "
                "lists who gets what)"
            )
        keys.append(key)
    if "xlsx" in person.formats:
        if WORKBOOK_KEY not in attachments and WORKBOOK_KEY not in withheld:
            raise _Unavailable(f"formats includes xlsx but no workbook was made for {period_label}")
        keys.append(WORKBOOK_KEY)
    if "pdf" in person.formats:  # a manager's members: after the person's own files
        attached = (
            _own_key(s, person.language, attachments, withheld) for s in person.attach_scopes
        )
        keys += [key for key in attached if key in attachments or key in withheld]
    for key in keys:
        if key in withheld:
            raise _Unavailable(f"not sent, a file failed its check: {withheld[key]}")
    return [path for key in keys for path in attachments[key]]


def _own_key(
    scope: str, language: str | None, attachments: Mapping[str, object], withheld: Mapping[str, str]
) -> str:
    """The report of `scope` in the person's own language when one was made, else the
    report's; attached scopes without a report (a member with no data) are left out."""
    own = f"{scope}|{language}" if language else None
    return own if own and (own in attachments or own in withheld) else scope


def _write_eml(prepared: _Prepared, outbox_dir: Path) -> Delivery:
    person = prepared.person
    path = outbox_dir / f"{slug(person.email)}-{slug(person.scope)}.eml"
    atomic_write_bytes(path, prepared.data)
    return prepared.delivery("written", eml_path=str(path))
