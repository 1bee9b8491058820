"""One SMTP connection that carries many messages, and the exact moment of acceptance.

A message is delivered when the server answers 250 to the end of DATA, and only then.
`transmit` calls `before_end` (the ledger's intent) just before it sends the final
".", so a run killed earlier leaves nothing the server could have accepted; whatever
happens after the 250 (a refused QUIT, a dropped connection) cannot undo the delivery.
"""

from __future__ import annotations

import re
import smtplib
import time
from collections.abc import Callable, Sequence

from roi_reports.delivery.smtp import (
    Credentials,
    SendFailed,
    SmtpProblem,
    open_client,
    problem_of,
)
from roi_reports.email_settings import EmailConfig

_LINE_START_DOT = re.compile(rb"(?m)^\.")
_FAILURE_WORDS = {
    "permanent": "permanent failure",
    "temporary": "temporary failure",
    "throttle": "temporary failure",
    "unconfirmed": "possibly delivered, but unconfirmed",
}


class SmtpSession:
    """Opens a connection when a message needs one; `close` ends it politely, or not."""

    def __init__(self, settings: EmailConfig, login: Credentials | None, sender: str) -> None:
        self.settings = settings
        self.login = login
        self.sender = sender
        self._client: smtplib.SMTP | None = None
        # accepted on the open (or the last, until the next opens) connection
        self.messages_on_connection = 0
        self.connections = 0  # opened so far

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._client is not None

    def open(self) -> None:
        """Connect, greet, STARTTLS and log in, unless a connection is open already."""
        if self._client is not None:
            return
        self.messages_on_connection = 0
        try:
            self._client = open_client(self.settings, self.login)
        except (smtplib.SMTPException, OSError) as exc:
            raise problem_of(exc, opening=True, login=self.login) from None
        self.connections += 1

    def close(self) -> None:
        """QUIT and close. Any answer to QUIT, or none, changes nothing: ignore it."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            client.close()

    def transmit(
        self, recipients: Sequence[str], data: bytes, before_end: Callable[[], None] = lambda: None
    ) -> None:
        """Deliver `data` over the open connection, or raise SmtpProblem.

        Raises kind `unconfirmed` when the connection is lost after the end of DATA and
        before the reply: the server may have the message.
        """
        client = self._client
        assert client is not None, "open() first"
        try:
            self._start(client, recipients, len(data))
            client.send(_body_without_final_dot(data))
        except (smtplib.SMTPException, OSError) as exc:
            raise self._abandon(exc) from None
        try:
            before_end()
        except BaseException:
            # e.g. the ledger's disk is full: without its intent the message must not go
            # out. Dropping the connection mid-DATA makes the server discard it (a QUIT
            # now would be read as message text).
            self._drop()
            raise
        try:
            client.send(b".\r\n")
        except (smtplib.SMTPException, OSError) as exc:  # the "." never left: not accepted
            raise self._abandon(exc) from None
        try:
            code, reply = client.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise SmtpProblem(
                "unconfirmed",
                f"the connection was lost after the end of DATA, before the server confirmed "
                f"the message ({exc})",
            ) from None
        if code != 250:
            raise self._abandon(smtplib.SMTPDataError(code, reply))
        self.messages_on_connection += 1

    def _start(self, client: smtplib.SMTP, recipients: Sequence[str], size: int) -> None:
        """MAIL FROM, RCPT TO and DATA up to the server's 354."""
        options = [f"SIZE={size}"] if client.has_extn("size") else []
        _expect(client.mail(self.sender, options), (250,))
        for recipient in recipients:
            _expect(client.rcpt(recipient), (250, 251))
        client.putcmd("data")
        _expect(client.getreply(), (354,))

    def _abandon(self, exc: BaseException) -> SmtpProblem:
        """End the failed transaction (RSET, or drop a closing connection); the problem."""
        problem = problem_of(exc, opening=False, login=self.login)
        closing = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421
        if self._client is None or closing or not isinstance(exc, smtplib.SMTPResponseException):
            self._drop()
            return problem
        try:
            code, _reply = self._client.rset()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self._drop()
        return problem

    def _drop(self) -> None:
        """Close the socket without a word: the connection is broken or closing."""
        client, self._client = self._client, None
        if client is not None:
            client.close()


def _expect(answer: tuple[int, bytes], codes: tuple[int, ...]) -> None:
    code, reply = answer
    if code not in codes:
        raise smtplib.SMTPResponseException(code, reply)


def _body_without_final_dot(data: bytes) -> bytes:
    """Dot-stuffed message text ending in CRLF (RFC 5321 §4.5.2), before the final "."."""
    stuffed = _LINE_START_DOT.sub(b"..", data)
    return stuffed if stuffed.endswith(b"\r\n") else stuffed + b"\r\n"


def send_single(
    settings: EmailConfig,
    login: Credentials | None,
    sender: str,
    to: str,
    data: bytes,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """One message with a run's retries and nothing recorded (send-test); the attempts."""
    attempts = 1 + settings.retries
    for attempt in range(1, attempts + 1):
        with SmtpSession(settings, login, sender) as session:
            try:
                session.open()
                session.transmit([to], data)
                return attempt
            except SmtpProblem as problem:
                final = problem.kind in ("permanent", "unconfirmed") or attempt == attempts
                if final:
                    kind = _FAILURE_WORDS[problem.kind]
                    raise SendFailed(
                        f"{kind} after {attempt} attempt(s) via {settings.host}:"
                        f"{settings.port}: {problem.text}",
                        attempt,
                        permanent=problem.kind == "permanent",
                    ) from None
        sleep(settings.retry_delay_s * 2 ** (attempt - 1))
    raise AssertionError("unreachable: the loop returns or raises")
