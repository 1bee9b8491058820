"""Open an SMTP connection (none/starttls/ssl, optional AUTH) and say what a reply means.

Every problem becomes an `SmtpProblem` of one kind, which decides what happens next:
- `throttle`: the server asks the sender to slow down (421, 451 4.7.x, 452 "too many"):
  pause, then resume; never a failure;
- `temporary`: another 4xx answer, or the connection lost before the end of DATA: retry
  after `[email] retry_delay_s`, at most `retries` times;
- `permanent`: a 5xx answer, a TLS or login problem: no retry;
- `unconfirmed`: the connection was lost after the end of DATA and before the server's
  reply: the message is possibly sent, and is never sent again without --force.

The password comes from the environment variable `[email] password_env` names and is
scrubbed from every error text, so it cannot reach a log, the ledger or the manifest.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from typing import Literal

from roi_reports.email_settings import EmailConfig
from roi_reports.errors import ConfigError

ProblemKind = Literal["throttle", "temporary", "permanent", "unconfirmed"]
# Answers to EHLO that mean "I do not speak ESMTP" (RFC 5321 §4.1.4): fall back to HELO.
_NO_ESMTP = (500, 501, 502, 504)
_POLICY_CODE = re.compile(r"4\.7\.\d")


class SmtpProblem(Exception):
    """What went wrong with one message, or with the connection (`opening`)."""

    def __init__(self, kind: ProblemKind, text: str, opening: bool = False) -> None:
        super().__init__(text)
        self.kind: ProblemKind = kind
        self.text = text
        self.opening = opening  # while connecting or logging in: every message would meet it


class SendFailed(Exception):
    """A message could not be delivered; `attempts` were made."""

    def __init__(self, message: str, attempts: int, permanent: bool) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.permanent = permanent


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = ""

    def __repr__(self) -> str:  # never print the password, even in a debug traceback
        return f"Credentials(username={self.username!r}, password=***)"


def check_settings(settings: EmailConfig) -> Credentials | None:
    """Fail before anything is sent: resolve the login and load any ca_file now."""
    if settings.security != "none":
        _tls_context(settings)
    return credentials(settings)


def credentials(settings: EmailConfig) -> Credentials | None:
    """The login to use, or None without `username`; a missing variable is a ConfigError."""
    if settings.username is None:
        return None
    if settings.password_env is None:
        raise ConfigError(
            "[email] username is set but password_env is not: add password_env = "
            '"ROI_SMTP_PASSWORD" and put the password in that environment variable'
        )
    password = os.environ.get(settings.password_env)
    if password is None:
        raise ConfigError(
            f"environment variable {settings.password_env} (from [email] password_env) is "
            "not set: set it to the SMTP password before running"
        )
    return Credentials(settings.username, password)


def open_client(settings: EmailConfig, login: Credentials | None) -> smtplib.SMTP:
    """A connection ready for MAIL FROM: greeted, TLS as configured, logged in."""
    client = _connect(settings)
    try:
        greet(client)
        if settings.security == "starttls":
            client.starttls(context=_tls_context(settings))
            greet(client)
        if login is not None:
            _login(client, login)
    except BaseException:
        client.close()
        raise
    return client


def greet(client: smtplib.SMTP) -> None:
    """EHLO; a 4xx or other refusal is raised, never papered over with HELO.

    smtplib falls back to HELO after any non-250 answer and goes on without the server's
    extensions, so a busy server's 451 turned into "AUTH not supported" (permanent).
    """
    code, reply = client.ehlo()
    if 200 <= code < 300:
        return
    if code not in _NO_ESMTP:
        raise smtplib.SMTPResponseException(code, reply)
    code, reply = client.helo()
    if not 200 <= code < 300:
        raise smtplib.SMTPHeloError(code, reply)


def is_throttle(code: int, text: str) -> bool:
    """The server's "slow down": 421, 451 4.7.x, 452 "too many"."""
    if code == 421:
        return True
    if code == 451:
        return _POLICY_CODE.match(text.strip()) is not None
    return code == 452 and "too many" in text.lower()


def problem_of(exc: BaseException, opening: bool, login: Credentials | None) -> SmtpProblem:
    """The kind and the one-line text of an smtplib or socket error."""
    temporary, text = classify(exc)
    text = _scrub(text, login)
    code, reply = (
        (exc.smtp_code, _text(exc.smtp_error))
        if isinstance(exc, smtplib.SMTPResponseException)
        else (0, "")
    )
    if is_throttle(code, reply):
        return SmtpProblem("throttle", text, opening)
    return SmtpProblem("temporary" if temporary else "permanent", text, opening)


def classify(exc: BaseException) -> tuple[bool, str]:
    """(temporary?, what happened) for an smtplib or socket error."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        temporary = 400 <= exc.smtp_code < 500
        return temporary, (
            f"login refused ({_answer(exc.smtp_code, exc.smtp_error)}); check [email] "
            "username and the password in the password_env variable"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        temporary = 400 <= exc.smtp_code < 500
        return temporary, f"server answered {_answer(exc.smtp_code, exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return False, f"{exc}; check [email] security and username"
    if isinstance(exc, ssl.SSLError):
        # A certificate or protocol problem does not fix itself by retrying.
        return False, f"TLS failed ({exc}); check [email] security, port and ca_file"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True, f"connection closed by the server ({exc})"
    if isinstance(exc, socket.timeout | TimeoutError):
        return True, f"no answer within [email] timeout_s ({exc})"
    if isinstance(exc, OSError):
        return True, f"cannot connect ({exc.strerror or exc})"
    return False, str(exc)


def _login(client: smtplib.SMTP, login: Credentials) -> None:
    if login.username.isascii() and login.password.isascii():
        client.login(login.username, login.password)  # also offers CRAM-MD5
        return
    # smtplib encodes credentials as ASCII; PLAIN and LOGIN carry UTF-8 (RFC 4616).
    advertised = client.esmtp_features.get("auth", "").upper().split()
    user, password = login.username.encode(), login.password.encode()
    if "PLAIN" in advertised:
        code, answer = client.docmd("AUTH", "PLAIN " + _b64(b"\0" + user + b"\0" + password))
    elif "LOGIN" in advertised:
        code, answer = client.docmd("AUTH", "LOGIN " + _b64(user))
        if code == 334:
            code, answer = client.docmd(_b64(password))
    else:
        raise smtplib.SMTPNotSupportedError("the server offers no AUTH PLAIN or LOGIN")
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, answer)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _connect(settings: EmailConfig) -> smtplib.SMTP:
    # gethostname, not smtplib's default getfqdn: no DNS lookup that can stall.
    local = socket.gethostname()
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            local_hostname=local,
            timeout=settings.timeout_s,
            context=_tls_context(settings),
        )
    return smtplib.SMTP(settings.host, settings.port, local, timeout=settings.timeout_s)


def _tls_context(settings: EmailConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.ca_file:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"[email] ca_file = {settings.ca_file!r} cannot be read as PEM certificates "
                f"({exc}); point it at the mail server's CA file"
            ) from None
    return context


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else message


def _answer(code: int, message: bytes | str) -> str:
    return f"{code} {' '.join(_text(message).split())}"


def _scrub(text: str, login: Credentials | None) -> str:
    if login is not None and login.password:
        text = text.replace(login.password, "***")
    return text
