"""A real SMTP server on 127.0.0.1 for the delivery tests (aiosmtpd, in-process).

`RecordingHandler` keeps every accepted message and can answer DATA with scripted
replies first (e.g. "451 …" once, then accept), to exercise retries.

Faults: a `Fault` makes the server answer one SMTP phase (EHLO, AUTH, MAIL, RCPT, DATA,
END = the end of DATA, QUIT) with 421, 451, 452 or 550, or drop the connection there,
the first `times` times it is reached (None: every time) or every `every`-th time. A
dropped end of DATA keeps the message (the server accepted it, the client never hears
so): the one case where the client cannot know. `Limits` add what real services enforce:
a per-minute limit (451 4.7.1 at MAIL) and "421 after N messages on a connection".
A "stall" fault holds the answer (a slow server; the kill tests kill the client then):
at the end of DATA the message is kept before the stall, like a server that accepted it
and had not answered yet.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USERNAME = "reports@example.com"
PASSWORD = "pä55-word-never-logged"

Phase = Literal["EHLO", "AUTH", "MAIL", "RCPT", "DATA", "END", "QUIT"]
FaultKind = Literal["421", "451", "452", "550", "drop", "stall"]
PHASES: tuple[Phase, ...] = ("EHLO", "AUTH", "MAIL", "RCPT", "DATA", "END", "QUIT")
FAULT_KINDS: tuple[FaultKind, ...] = ("421", "451", "452", "550", "drop")
# What each kind says: 421 and 452 "too many" are throttle answers; 451 4.3.0 is a
# plain temporary failure; 550 is permanent.
FAULT_TEXT: dict[str, str] = {
    "421": "421 4.7.0 Try again later, closing connection",
    "451": "451 4.3.0 Temporary local problem, try again later",
    "452": "452 4.5.3 Too many messages, slow down",
    "550": "550 5.7.1 Refused by policy",
}


@dataclass
class Fault:
    phase: Phase
    kind: FaultKind
    times: int | None = 1  # the first N times the phase is reached; None: always
    every: int | None = None  # instead: every N-th time (the N-th, 2N-th, …)
    after: int = 0  # let the phase pass this many times before `times` counts
    text: str | None = None  # the reply instead of FAULT_TEXT[kind]
    stall_s: float = 30.0  # how long a "stall" holds the answer

    def fires(self, occurrence: int) -> bool:
        if self.every is not None:
            return occurrence % self.every == 0
        counted = occurrence - self.after
        return counted > 0 and (self.times is None or counted <= self.times)

    @property
    def reply(self) -> str:
        return self.text or FAULT_TEXT[self.kind]


@dataclass
class Limits:
    per_minute: int | None = None  # accepted messages in any 60 s; over it 451 4.7.1 at MAIL
    per_connection: int | None = None  # after N messages: 421 at the next MAIL, then close


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
    faults: list[Fault] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)
    seen: Counter[str] = field(default_factory=Counter)  # phase → times reached
    fired: list[tuple[str, str]] = field(default_factory=list)  # (phase, kind) per fault
    connections: int = 0
    accepted_at: deque[float] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stalled: threading.Event = field(default_factory=threading.Event)  # a stall began

    def fault_for(self, phase: Phase) -> Fault | None:
        """Count one more `phase`; the fault to apply now, if any."""
        with self.lock:
            self.seen[phase] += 1
            for fault in self.faults:
                if fault.phase == phase and fault.fires(self.seen[phase]):
                    self.fired.append((phase, fault.kind))
                    return fault
        return None

    def over_minute_limit(self) -> bool:
        limit = self.limits.per_minute
        if limit is None:
            return False
        with self.lock:
            while self.accepted_at and self.accepted_at[0] <= time.monotonic() - 60:
                self.accepted_at.popleft()
            return len(self.accepted_at) >= limit

    async def stall(self, fault: Fault) -> None:
        self.stalled.set()
        await asyncio.sleep(fault.stall_s)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        fault = self.fault_for("END")
        if fault is not None and fault.kind not in ("drop", "stall"):
            return fault.reply
        if self.answers:
            return self.answers.pop(0)
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
            self.accepted_at.append(time.monotonic())
        server.accepted_here += 1
        if fault is not None and fault.kind == "stall":
            await self.stall(fault)
        elif fault is not None:  # accepted, and the connection drops before the reply
            server.transport.abort()
        return "250 2.0.0 Message accepted"

    def count(self, address: str) -> int:
        """How many accepted messages were addressed to `address`."""
        return sum(address in m.rcpt_tos for m in self.messages)


class FaultySMTP(SMTP):
    """aiosmtpd's SMTP with the handler's faults and limits applied before each phase."""

    def __init__(self, handler: RecordingHandler, **options: Any) -> None:
        super().__init__(handler, **options)
        self.recorder = handler
        self.accepted_here = 0

    def connection_made(self, transport: Any) -> None:
        if self._original_transport is None:  # not the STARTTLS switch of the same connection
            with self.recorder.lock:
                self.recorder.connections += 1
        super().connection_made(transport)

    async def _fault(self, phase: Phase) -> bool:
        """Apply a fault for `phase`; True when the command is answered (or dropped)."""
        fault = self.recorder.fault_for(phase)
        if fault is None:
            return False
        if fault.kind == "stall":
            await self.recorder.stall(fault)
            return False  # then answer as usual
        await self._refuse(fault.reply if fault.kind != "drop" else None)
        return True

    async def _refuse(self, reply: str | None) -> None:
        """Answer `reply` (None: drop the connection); 421 closes it, as RFC 5321 says."""
        if reply is not None:
            await self.push(reply)
        assert self.transport is not None
        if reply is None:
            self.transport.abort()
        elif reply.startswith("421"):
            self.transport.close()

    async def smtp_EHLO(self, hostname: str) -> None:
        if not await self._fault("EHLO"):
            await super().smtp_EHLO(hostname)

    async def smtp_AUTH(self, arg: str) -> None:
        if not await self._fault("AUTH"):
            await super().smtp_AUTH(arg)

    async def smtp_MAIL(self, arg: str | None) -> None:
        per_connection = self.recorder.limits.per_connection
        if per_connection is not None and self.accepted_here >= per_connection:
            await self._refuse("421 4.7.0 Too many messages on this connection")
        elif self.recorder.over_minute_limit():
            await self._refuse("451 4.7.1 Too many messages per minute, slow down")
        elif not await self._fault("MAIL"):
            await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg: str | None) -> None:
        if not await self._fault("RCPT"):
            await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg: str) -> None:
        if not await self._fault("DATA"):
            await super().smtp_DATA(arg)

    async def smtp_QUIT(self, arg: str) -> None:
        if not await self._fault("QUIT"):
            await super().smtp_QUIT(arg)


class FaultyController(Controller):
    def factory(self) -> SMTP:
        return FaultySMTP(self.handler, **self.SMTP_kwargs)


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
    controller = FaultyController(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    handler.connections = 0  # start() made one itself, to check that the server answers
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


def starttls_login(certs: Certificates, authenticator: Authenticator) -> dict[str, Any]:
    """Server options: STARTTLS required, then AUTH LOGIN (PLAIN left out) required."""
    return {
        "tls_context": certs.server_context,
        "require_starttls": True,
        "authenticator": authenticator,
        "auth_required": True,
        "auth_exclude_mechanism": ["PLAIN"],
    }


def attachment_names(message: EmailMessage) -> list[str]:
    return sorted(part.get_filename() or "" for part in message.iter_attachments())


def plain_body(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def recipients(handler: RecordingHandler) -> Sequence[str]:
    return sorted(to for received in handler.messages for to in received.rcpt_tos)
