"""A real SMTP server on 127.0.0.1 for the delivery tests (aiosmtpd, in-process).

`RecordingHandler` keeps every accepted message and can answer DATA with scripted
replies first (e.g. "451 …" once, then accept), to exercise retries.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "reports@example.com"
PASSWORD = "pä55-word-never-logged"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    answers: list[str] = field(default_factory=list)  # replies to DATA before accepting
    messages: list[Received] = field(default_factory=list)
    data_commands: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.answers:
            return self.answers.pop(0)
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 2.0.0 Message accepted"


@dataclass
class Authenticator:
    """Accepts USERNAME/PASSWORD and remembers the mechanisms clients used."""

    password: str = PASSWORD
    mechanisms: list[str] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.mechanisms.append(mechanism)
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == USERNAME
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(handler: RecordingHandler, **options: Any) -> Iterator[Controller]:
    """Serve on a free loopback port; `options` go to aiosmtpd's Controller/SMTP."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@dataclass(frozen=True)
class Certificates:
    ca_file: Path  # what the client trusts ([email] ca_file)
    server_context: ssl.SSLContext


def make_certificates(folder: Path) -> Certificates:
    """A throwaway CA and a certificate for 127.0.0.1, made for this test only."""
    authority = trustme.CA()
    server_cert = authority.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    ca_file = folder / "test-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return Certificates(ca_file, context)


def attachment_names(message: EmailMessage) -> list[str]:
    return sorted(part.get_filename() or "" for part in message.iter_attachments())


def plain_body(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def recipients(handler: RecordingHandler) -> Sequence[str]:
    return sorted(to for received in handler.messages for to in received.rcpt_tos)
