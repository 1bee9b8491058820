"""Exactly once under a misbehaving server: every SMTP phase × every fault (issue 21.1, 21.2).

The server (tests/smtp_server.py, real aiosmtpd on 127.0.0.1) answers one phase with 421,
451, 452 or 550, or drops the connection there. Whatever it does, each recipient ends up
with exactly one accepted message once the server's acceptance is unambiguous; a message
the server took but never confirmed (the connection dropped at the end of DATA) is
"possibly sent": reported, and not sent again by a rerun.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from roi_reports.delivery.deliver import any_failed, summary_lines
from roi_reports.delivery.ledger import Ledger
from roi_reports.delivery.session import SmtpSession
from tests.email_setup import PERIOD, STAKEHOLDERS, make_config, make_reports, run
from tests.smtp_server import (
    FAULT_KINDS,
    PASSWORD,
    PHASES,
    USERNAME,
    Authenticator,
    Fault,
    RecordingHandler,
    smtp_server,
)

PEOPLE = STAKEHOLDERS[1:3]  # aino first, then mikko
AINO, MIKKO = "aino@example.com", "mikko@example.com"
FAST = {"retry_delay_s": 0.01, "throttle_pause_s": 0.01}


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, list[Path]]:
    return make_reports(tmp_path)


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """AUTH PLAIN on a plain connection (no TLS), so AUTH is one phase among the others."""
    monkeypatch.setenv("ROI_SMTP_PASSWORD", PASSWORD)
    return {
        "server": {
            "authenticator": Authenticator(),
            "auth_required": True,
            "auth_require_tls": False,
            "auth_exclude_mechanism": ["LOGIN"],  # one mechanism: no silent fallback
        },
        "email": {"username": USERNAME, "password_env": "ROI_SMTP_PASSWORD"},
    }


def expected_first_run(phase: str, kind: str) -> dict[str, str]:
    """Each recipient's status after one run with the fault firing once."""
    if kind == "550" and phase in ("EHLO", "AUTH"):
        return {AINO: "failed", MIKKO: "failed"}  # the server refuses us: nobody is sent
    if kind == "550" and phase != "QUIT":
        return {AINO: "failed", MIKKO: "sent"}  # refused this message; the next goes on
    if kind == "drop" and phase == "END":
        return {AINO: "possibly-sent", MIKKO: "sent"}
    return {AINO: "sent", MIKKO: "sent"}  # temporary, throttled, or after acceptance


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("phase", PHASES)
def test_every_phase_and_fault_gives_each_recipient_one_message(
    tmp_path, reports, login, phase, kind
):
    handler = RecordingHandler(faults=[Fault(phase, kind)])
    with smtp_server(handler, **login["server"]) as server:
        config = make_config(server.port, stakeholders=PEOPLE, **FAST, **login["email"])
        first = run(config, reports, tmp_path)
        second = run(config, reports, tmp_path)
    assert handler.fired == [(phase, kind)]
    assert {r.email: r.status for r in first} == expected_first_run(phase, kind)
    assert all("not supported" not in (r.error or "") for r in first)
    # the rerun sends what failed, never what the server accepted or may have accepted
    rerun = {AINO: "sent" if kind == "550" and phase != "QUIT" else "already-sent"}
    rerun[MIKKO] = "sent" if kind == "550" and phase in ("EHLO", "AUTH") else "already-sent"
    if kind == "drop" and phase == "END":
        rerun[AINO] = "possibly-sent"
    assert {r.email: r.status for r in second} == rerun
    assert handler.count(AINO) == 1 and handler.count(MIKKO) == 1
    assert len(handler.messages) == 2


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("kind", ["421", "451", "452", "550", "drop"])
def test_a_refused_quit_never_causes_a_resend_or_a_failure(tmp_path, reports, login, kind):
    """The reproduction of issue 21.1: every QUIT answered 421 gave 4 copies per run."""
    handler = RecordingHandler(faults=[Fault("QUIT", kind, times=None)])
    with smtp_server(handler, **login["server"]) as server:
        config = make_config(server.port, stakeholders=PEOPLE, **FAST, **login["email"])
        first = run(config, reports, tmp_path)
        second = run(config, reports, tmp_path)
    assert [r.status for r in first] == ["sent", "sent"]
    assert [r.attempts for r in first] == [1, 1]
    assert [r.status for r in second] == ["already-sent", "already-sent"]
    assert handler.count(AINO) == 1 and handler.count(MIKKO) == 1
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        assert [e.status for e in ledger.entries(PERIOD)] == ["sent", "sent"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("kind", ["451", "452", "drop"])
def test_a_temporary_ehlo_fault_is_retried_not_reported_as_no_auth(tmp_path, reports, login, kind):
    """Issue 21.2: smtplib went on without the server's extensions ("AUTH not supported")."""
    handler = RecordingHandler(faults=[Fault("EHLO", kind)])
    with smtp_server(handler, **login["server"]) as server:
        config = make_config(server.port, stakeholders=PEOPLE[:1], **FAST, **login["email"])
        (result,) = run(config, reports, tmp_path)
    assert result.status == "sent", result.error
    assert handler.count(AINO) == 1
    assert handler.connections == 2  # the first one answered EHLO with the fault


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_server_that_keeps_refusing_ehlo_fails_as_temporary(tmp_path, reports, login):
    handler = RecordingHandler(faults=[Fault("EHLO", "451", times=None)])
    with smtp_server(handler, **login["server"]) as server:
        config = make_config(server.port, stakeholders=PEOPLE, retries=2, **FAST, **login["email"])
        results = run(config, reports, tmp_path)
    assert [r.status for r in results] == ["failed", "failed"]
    assert "temporary failure after 3 attempt(s)" in (results[0].error or "")
    assert "451 4.3.0" in (results[0].error or "")
    assert handler.seen["EHLO"] == 3, "the second recipient does not hammer a failing server"
    assert handler.messages == []


def test_a_connection_lost_after_the_end_of_data_is_possibly_sent(tmp_path, reports):
    handler = RecordingHandler(faults=[Fault("END", "drop")])
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=PEOPLE[:1], **FAST)
        (first,) = run(config, reports, tmp_path)
        (again,) = run(config, reports, tmp_path)
        (forced,) = run(config, reports, tmp_path, force=True)
    assert first.status == "possibly-sent" and first.attempts == 1
    assert "before the server confirmed" in (first.note or "")
    assert any_failed([first]), "the run that lost the reply says so with exit code 3"
    lines = summary_lines([first])
    assert lines[0] == "Email: 1 possibly sent"
    assert "possibly sent to Aino Virtanen <aino@example.com>" in lines[1]
    assert again.status == "possibly-sent" and again.attempts == 0
    assert "--force" in (again.note or "")
    assert forced.status == "sent"
    assert handler.count(AINO) == 2  # the one the server kept, and the forced resend
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        assert [e.status for e in ledger.entries(PERIOD)] == ["unconfirmed", "sent"]


def test_no_intent_recorded_means_no_message_handed_over():
    """If the ledger cannot record the intent (say the disk is full), the "." never goes."""
    handler = RecordingHandler()

    def ledger_full() -> None:
        raise OSError(28, "No space left on device")

    with smtp_server(handler) as server:
        settings = make_config(server.port).email
        with SmtpSession(settings, None, "reports@example.com") as session:
            session.open()
            with pytest.raises(OSError, match="No space left"):
                session.transmit([AINO], b"Subject: x\r\n\r\nbody\r\n", before_end=ledger_full)
            assert not session.is_open
            session.open()  # the next message goes over a new connection
            session.transmit([MIKKO], b"Subject: y\r\n\r\nbody\r\n")
    assert handler.count(AINO) == 0 and handler.count(MIKKO) == 1
