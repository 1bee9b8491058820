"""Build the email for one stakeholder: subject, text + HTML body, attachments.

A message is a pure function of its inputs: the Message-ID comes from the period, the
recipient and the attachment hashes, the Date from the run time, and the MIME boundaries
from the Message-ID. So a dry run's `.eml` file is byte-for-byte what a real run sends.
"""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import TypeAlias

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from roi_reports.email_settings import Stakeholder
from roi_reports.fsutil import sha256_file
from roi_reports.i18n import N_, direction, gettext_for
from roi_reports.reports.formatting import format_megabytes, localise_digits
from roi_reports.resources import template_root
from roi_reports.scopes import Scope

# policy.SMTP: CRLF line endings, as on the wire; the .eml file uses the same bytes.
WIRE_POLICY = policy.SMTP
MIME_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The few words of an email body (reports carry the rest); msgids of the catalogs.
STRINGS: dict[str, str] = {
    "greeting": N_("Hello {name},"),
    "intro": N_("attached are the ROI reports for {period} ({scope})."),
    "key_figures": N_("Key figures"),
    "attachments": N_("Attachments"),
    "closing": N_("This message was sent automatically by roi-reports."),
    "left_out": N_("Left out to keep this message under {budget}"),
    "left_out_where": N_("They are in out/{period}/ of the reports folder; ask {sender} for them."),
    "all": N_("the whole team"),
    "channel": N_("channel {name}"),
    "employee": N_("employee {name}"),
    "campaign": N_("campaign {name}"),
    "team": N_("team {name}"),
    "test_subject": N_("roi-reports test message"),
    "test_intro": N_("this test message shows that the [email] settings work."),
}


def words_for(language: str) -> dict[str, str]:
    """STRINGS in `language` (English where its catalog lacks one)."""
    _ = gettext_for(language)
    return {key: _(message) for key, message in STRINGS.items()}


@dataclass(frozen=True)
class Attachment:
    path: Path
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    @classmethod
    def of(cls, path: Path) -> Attachment:
        return cls(path, sha256_file(path), path.stat().st_size)


# (scope label, language) → label → value text, or one mapping for every recipient
HeadlineSource: TypeAlias = Callable[[str, str], Mapping[str, str]] | Mapping[str, str]


@dataclass(frozen=True)
class MessageContext:
    """What a report email says, apart from who it is for."""

    sender: str
    title: str
    period_label: str
    subject_template: str
    headline: HeadlineSource
    now: datetime
    # language → the title in it ([report] title_fi, or the default title translated)
    titles: Mapping[str, str] = field(default_factory=dict)

    def headline_for(self, scope: str, language: str) -> Mapping[str, str]:
        return self.headline(scope, language) if callable(self.headline) else self.headline


def message_id_for(
    period_label: str, email: str, scope: str, hashes: Sequence[str], sender: str
) -> str:
    """Same period, recipient, scope and attachment contents → same Message-ID."""
    key = "\n".join([period_label, email.lower(), scope, *sorted(hashes)])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"<{digest[:40]}.roi-reports@{sender.rpartition('@')[2]}>"


def build_report_message(
    context: MessageContext,
    recipient: Stakeholder,
    attachments: Sequence[Attachment],
    language: str,
    left_out: Sequence[Attachment] = (),
    budget_mb: float = 0.0,
) -> EmailMessage:
    """The report email for one stakeholder, in `language` (en, fi, fa)."""
    words = words_for(language)
    scope_text = scope_phrase(recipient.scope, language)
    period = localise_digits(context.period_label, language)  # as the reports print it
    values = {
        "title": context.titles.get(language, context.title),
        "period": period,
        "scope": scope_text,
        "name": recipient.name,
    }
    subject = _subject_template(context.subject_template).render(values)
    body = _body(
        language,
        subject,
        words["greeting"].format(name=recipient.name),
        words["intro"].format(period=period, scope=scope_text),
        list(context.headline_for(recipient.scope, language).items()),
        [a.name for a in attachments],
    )
    if left_out:
        budget = format_megabytes(budget_mb, language, "#,##0.###")
        body["left_out_heading"] = words["left_out"].format(budget=budget)
        body["left_out"] = [
            f"{a.name} ({format_megabytes(a.size / 1024 / 1024, language)})" for a in left_out
        ]
        body["left_out_where"] = words["left_out_where"].format(
            period=context.period_label, sender=context.sender
        )
    message_id = message_id_for(
        context.period_label,
        recipient.email,
        recipient.scope,
        [a.sha256 for a in attachments],
        context.sender,
    )
    message = _envelope(context.sender, recipient, subject, context.now, message_id)
    _add_bodies(message, body)
    for attachment in attachments:
        _attach(message, attachment)
    return _fix_boundaries(message, message_id)


def build_test_message(sender: str, to: str, now: datetime, language: str = "en") -> EmailMessage:
    """A short message with no attachments, to check the SMTP settings."""
    words = words_for(language)
    recipient = Stakeholder(name=to, email=to)
    message_id = message_id_for("send-test", to, now.isoformat(), [], sender)
    message = _envelope(sender, recipient, words["test_subject"], now, message_id)
    greeting = words["greeting"].format(name=to)
    _add_bodies(message, _body(language, words["test_subject"], greeting, words["test_intro"]))
    return _fix_boundaries(message, message_id)


def message_bytes(message: EmailMessage) -> bytes:
    """The exact bytes sent over SMTP and written to `.eml` files."""
    return message.as_bytes(policy=WIRE_POLICY)


def scope_phrase(scope: str, language: str) -> str:
    parsed = Scope.parse(scope)
    return words_for(language)[parsed.kind].format(name=parsed.name)


def _body(
    language: str,
    subject: str,
    greeting: str,
    intro: str,
    headline: Sequence[tuple[str, str]] = (),
    attachment_names: Sequence[str] = (),
) -> dict[str, object]:
    """Everything the body templates print, already in the recipient's language."""
    words = words_for(language)
    return {
        "lang": language,
        "direction": direction(language),
        "subject": subject,
        "greeting": greeting,
        "intro": intro,
        "key_figures": words["key_figures"],
        "headline": list(headline),
        "attachments_heading": words["attachments"],
        "attachments": list(attachment_names),
        "closing": words["closing"],
        "left_out": [],
    }


def _envelope(
    sender: str, recipient: Stakeholder, subject: str, now: datetime, message_id: str
) -> EmailMessage:
    message = EmailMessage(policy=WIRE_POLICY)
    # Rendered from a template that may print data values: keep the header on one line.
    message["Subject"] = header_line(subject)
    message["From"] = Address(addr_spec=sender)
    message["To"] = Address(display_name=recipient.name, addr_spec=recipient.email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    return message


def header_line(text: str) -> str:
    """One line without control characters: what a header may carry of rendered text.

    The config's own texts are refused at load time when they hold any (email_settings);
    this guards what a template prints from the data, such as a scope's name.
    """
    # Cc only: format characters such as the zero-width non-joiner belong in Persian text
    visible = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(visible.split())


def _add_bodies(message: EmailMessage, body: Mapping[str, object]) -> None:
    environment = _environment()
    text = environment.get_template("email/body.txt").render(body)
    html = environment.get_template("email/body.html").render(body)
    # quoted-printable keeps the message 7-bit clean for servers without 8BITMIME.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")


def _attach(message: EmailMessage, attachment: Attachment) -> None:
    mime = MIME_TYPES.get(attachment.path.suffix.lower()) or (
        mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
    )
    maintype, subtype = mime.split("/", 1)
    message.add_attachment(
        attachment.path.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name
    )


def _fix_boundaries(message: EmailMessage, message_id: str) -> EmailMessage:
    """Replace the random MIME boundaries with ones derived from the Message-ID."""
    seed = hashlib.sha256(message_id.encode("ascii")).hexdigest()[:24]
    for number, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_roi_{seed}_{number}")
    return message


@lru_cache(maxsize=8)
def _subject_template(source: str) -> Template:
    """The `[email] subject` template, compiled once: it is the same for every message."""
    return _environment().from_string(source)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """Autoescape for .html only (the text body and subject are plain text)."""
    return Environment(
        loader=FileSystemLoader(template_root()),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
