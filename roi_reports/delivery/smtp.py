"""Send message bytes over SMTP: none/starttls/ssl, optional AUTH, retries for 4xx.

Temporary failures (a 4xx answer, a refused or dropped connection, a timeout) are
retried with exponential backoff; permanent ones (5xx, a TLS or login problem) are not.
The password comes from the environment variable `[email] password_env` names and is
scrubbed from every error text, so it cannot reach a log or the manifest.
"""

from __future__ import annotations

import base64
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from roi_reports.email_settings import EmailConfig
from roi_reports.errors import ConfigError


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


def send_bytes(
    settings: EmailConfig,
    login: Credentials | None,
    sender: str,
    recipients: Sequence[str],
    data: bytes,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Deliver `data` as is; return the number of attempts, or raise SendFailed."""
    attempts = 1 + settings.retries
    for attempt in range(1, attempts + 1):
        try:
            _send_once(settings, login, sender, recipients, data)
            return attempt
        except (smtplib.SMTPException, OSError) as exc:
            temporary, text = classify(exc)
            text = _scrub(text, login)
            if not temporary or attempt == attempts:
                kind = "temporary failure" if temporary else "permanent failure"
                raise SendFailed(
                    f"{kind} after {attempt} attempt(s) via {settings.host}:{settings.port}: "
                    f"{text}",
                    attempt,
                    permanent=not temporary,
                ) from None
            sleep(settings.retry_delay_s * 2 ** (attempt - 1))
    raise AssertionError("unreachable: the loop returns or raises")


def classify(exc: BaseException) -> tuple[bool, str]:
    """(temporary?, what happened) for an smtplib or socket error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        answers = "; ".join(f"{to}: {_answer(c, m)}" for to, (c, m) in exc.recipients.items())
        return all(400 <= c < 500 for c in codes), f"recipient refused ({answers})"
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


def _send_once(
    settings: EmailConfig,
    login: Credentials | None,
    sender: str,
    recipients: Sequence[str],
    data: bytes,
) -> None:
    with _connect(settings) as client:
        if login is not None:
            _login(client, login)
        # sendmail, not send_message: the bytes go out exactly as built (and as in .eml).
        client.sendmail(sender, list(recipients), data)


def _login(client: smtplib.SMTP, login: Credentials) -> None:
    if login.username.isascii() and login.password.isascii():
        client.login(login.username, login.password)  # also offers CRAM-MD5
        return
    # smtplib encodes credentials as ASCII; PLAIN and LOGIN carry UTF-8 (RFC 4616).
    client.ehlo_or_helo_if_needed()
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
    client = smtplib.SMTP(settings.host, settings.port, local, timeout=settings.timeout_s)
    try:
        if settings.security == "starttls":
            client.ehlo()
            client.starttls(context=_tls_context(settings))
            client.ehlo()
    except BaseException:
        client.close()
        raise
    return client


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


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def _scrub(text: str, login: Credentials | None) -> str:
    if login is not None and login.password:
        text = text.replace(login.password, "***")
    return text
