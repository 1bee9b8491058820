"""Delivery that respects the server (issue 19.4): connections, limits, throttling, daily cap.

Against the real aiosmtpd server on 127.0.0.1. A FakeClock does the waiting, so a
per-minute limit or a throttle pause is checked by its arithmetic, not by the test's
duration: the waits the sender asked for, and the times the ledger recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from roi_reports.delivery.deliver import any_failed, summary_lines
from roi_reports.delivery.ledger import Ledger
from roi_reports.delivery.pacing import MinuteWindow, Throttle, day_bounds
from roi_reports.delivery.smtp import is_throttle
from tests.email_setup import NOW, PERIOD, FakeClock, make_config, make_reports, people, run
from tests.smtp_server import (
    PASSWORD,
    USERNAME,
    Authenticator,
    Fault,
    Limits,
    RecordingHandler,
    make_certificates,
    smtp_server,
    starttls_login,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, list[Path]]:
    return make_reports(tmp_path)


def each_once(handler: RecordingHandler, count: int) -> bool:
    addresses = [to for m in handler.messages for to in m.rcpt_tos]
    return sorted(addresses) == [f"p{n:03d}@example.com" for n in range(1, count + 1)]


def intent_offsets(tmp_path: Path, start: datetime) -> list[float]:
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        entries = ledger.entries(PERIOD)
    return [(datetime.fromisoformat(e.intent_at) - start).total_seconds() for e in entries]


def test_one_connection_carries_every_message(tmp_path, reports):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        results = run(make_config(server.port, stakeholders=people(6)), reports, tmp_path)
    assert [r.status for r in results] == ["sent"] * 6
    assert handler.connections == 1 and handler.seen["EHLO"] == 1
    assert handler.seen["QUIT"] == 1
    assert each_once(handler, 6)


def test_a_server_that_closes_after_n_messages_gets_the_rest_on_new_logins(
    tmp_path, reports, monkeypatch
):
    """421 after 2 messages on a connection, over STARTTLS with AUTH LOGIN: log in again."""
    certs = make_certificates(tmp_path)
    handler, authenticator = RecordingHandler(limits=Limits(per_connection=2)), Authenticator()
    monkeypatch.setenv("ROI_SMTP_PASSWORD", PASSWORD)
    options = starttls_login(certs, authenticator)
    clock = FakeClock(NOW)
    with smtp_server(handler, **options) as server:
        config = make_config(
            server.port,
            stakeholders=people(5),
            security="starttls",
            username=USERNAME,
            password_env="ROI_SMTP_PASSWORD",
            ca_file=str(certs.ca_file),
        )
        results = run(config, reports, tmp_path, clock=clock)
    assert [r.status for r in results] == ["sent"] * 5
    assert [r.attempts for r in results] == [1, 1, 2, 1, 2]  # the 421 is answered with a retry
    assert each_once(handler, 5)
    assert handler.connections == 3
    assert authenticator.mechanisms == ["LOGIN"] * 3
    assert clock.slept == [], "a full connection is replaced at once, without a pause"


def test_max_per_connection_logs_in_again_before_the_server_must_say_so(tmp_path, reports):
    handler = RecordingHandler()
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=people(5), max_per_connection=2)
        results = run(config, reports, tmp_path)
    assert [r.attempts for r in results] == [1] * 5
    assert handler.connections == 3 and handler.seen["QUIT"] == 3
    assert handler.fired == [] and each_once(handler, 5)


def test_every_third_message_refused_with_421_is_resent_once(tmp_path, reports):
    handler = RecordingHandler(faults=[Fault("END", "421", every=3)])
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=people(7), throttle_pause_s=0.01)
        results = run(config, reports, tmp_path)
    assert [r.status for r in results] == ["sent"] * 7
    assert [r.attempts for r in results] == [1, 1, 2, 1, 2, 1, 2]
    assert handler.fired == [("END", "421")] * 3
    assert each_once(handler, 7)
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        statuses = [e.status for e in ledger.entries(PERIOD)]
    # each refused end of DATA is recorded as such; the message itself was sent once
    assert statuses.count("failed") == 3 and statuses.count("sent") == 7


def test_max_per_minute_spaces_the_messages(tmp_path, reports):
    handler = RecordingHandler()
    clock = FakeClock(NOW)
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=people(7), max_per_minute=3)
        results = run(config, reports, tmp_path, clock=clock)
    assert [r.status for r in results] == ["sent"] * 7
    assert intent_offsets(tmp_path, NOW) == [0, 0, 0, 60, 60, 60, 120]
    assert each_once(handler, 7)


def test_throttling_pauses_and_resumes_without_failing(tmp_path, reports):
    handler = RecordingHandler(faults=[Fault("MAIL", "421", times=2)])
    clock, lines = FakeClock(NOW), []
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=people(2), throttle_pause_s=30)
        results = run(config, reports, tmp_path, clock=clock, progress=lines.append)
    assert [r.status for r in results] == ["sent", "sent"]
    assert clock.slept == [30, 60]  # doubling while the server keeps throttling
    assert any("pausing 30 s, then resuming" in line for line in lines)
    assert each_once(handler, 2)


def test_endless_throttling_defers_the_rest_to_the_next_run(tmp_path, reports):
    handler = RecordingHandler(faults=[Fault("MAIL", "452", times=None)])
    clock = FakeClock(NOW)
    with smtp_server(handler) as server:
        config = make_config(
            server.port, stakeholders=people(3), throttle_pause_s=60, max_throttle_wait_min=5
        )
        results = run(config, reports, tmp_path, clock=clock)
        assert [r.status for r in results] == ["deferred"] * 3
        assert clock.slept == [60, 120, 120]  # 5 minutes, then stop asking
        assert [r.attempts for r in results] == [4, 0, 0]
        assert "max_throttle_wait_min = 5" in (results[0].note or "")
        assert not any_failed(results)
        assert summary_lines(results)[0] == "Email: 3 deferred to the next run"
        handler.faults.clear()
        again = run(config, reports, tmp_path, clock=FakeClock(NOW + timedelta(hours=1)))
    assert [r.status for r in again] == ["sent"] * 3
    assert each_once(handler, 3)


def test_the_daily_cap_defers_and_the_next_days_runs_continue(tmp_path, reports):
    """max_per_day counts the ledger's sends of the day in [report] timezone, across runs."""
    handler = RecordingHandler()
    late = datetime(2026, 11, 2, 23, 30, tzinfo=HELSINKI)
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=people(5), max_per_day=2)

        def statuses(start: datetime) -> list[str]:
            return [r.status for r in run(config, reports, tmp_path, clock=FakeClock(start))]

        first = run(config, reports, tmp_path, clock=FakeClock(late))
        same_day = statuses(late + timedelta(minutes=20))
        # 00:30 in Helsinki is still 2026-11-02 in UTC: a new day where the report lives
        next_day = statuses(late + timedelta(hours=1))
        day_after = statuses(late + timedelta(days=1, hours=1))
    assert [r.status for r in first] == ["sent", "sent", "deferred", "deferred", "deferred"]
    assert "[email] max_per_day = 2 reached" in (first[2].note or "")
    assert not any_failed(first)
    assert same_day == ["already-sent"] * 2 + ["deferred"] * 3
    assert next_day == ["already-sent"] * 2 + ["sent", "sent", "deferred"]
    assert day_after == ["already-sent"] * 4 + ["sent"]
    assert each_once(handler, 5)


def test_progress_shows_sent_of_total_and_the_time_left(tmp_path, reports):
    handler, lines = RecordingHandler(), []
    with smtp_server(handler) as server:
        config = make_config(server.port, stakeholders=people(3), max_per_minute=1)
        run(config, reports, tmp_path, clock=FakeClock(NOW), progress=lines.append)
    assert lines[0].startswith("[1/3] sent to Person 001 <p001@example.com> (all)")
    assert lines[0].endswith("· 1 sent, about 2 min left")  # 2 more at 1 a minute
    assert lines[1].endswith("· 2 sent, about 1 min left")
    assert lines[2].startswith("[3/3] sent to Person 003") and "left" not in lines[2]


@pytest.mark.parametrize(
    ("code", "text", "throttle"),
    [
        (421, "4.7.0 Try again later", True),
        (451, "4.7.1 Too many messages, slow down", True),
        (451, "4.3.0 Local problem", False),
        (452, "4.5.3 Too many recipients", True),
        (452, "4.3.1 Insufficient system storage", False),
        (450, "4.2.1 Mailbox busy", False),
        (550, "5.7.1 Too many messages", False),
    ],
)
def test_throttle_answers(code, text, throttle):
    assert is_throttle(code, text) is throttle


def test_minute_window_counts_earlier_runs():
    start = datetime(2026, 11, 2, 12, 0, tzinfo=HELSINKI)
    earlier = [start - timedelta(seconds=s) for s in (50, 40, 30)]
    window = MinuteWindow(3, earlier)
    assert window.wait_s(start) == 10  # the oldest of the three leaves the window then
    assert window.wait_s(start + timedelta(seconds=10)) == 0
    assert MinuteWindow(None, earlier).wait_s(start) == 0


def test_throttle_pauses_grow_and_stop_at_the_budget():
    throttle = Throttle(first_pause_s=10, max_wait_min=2)
    assert throttle.next_pause(connection_carried_messages=True) == 0  # reconnect at once
    pauses = [throttle.next_pause(False) for _ in range(6)]
    assert pauses == [10, 20, 40, 50, None, None]  # 120 s in all
    throttle.reset()
    assert throttle.next_pause(False) == 10


def test_a_day_is_a_calendar_day_in_the_report_timezone():
    start, end = day_bounds(datetime(2026, 3, 29, 12, 0, tzinfo=HELSINKI), "Europe/Helsinki")
    assert start == datetime(2026, 3, 29, tzinfo=HELSINKI)
    assert end.timestamp() - start.timestamp() == 23 * 3600  # clocks go forward that night
    utc_evening = datetime(2026, 11, 2, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert day_bounds(utc_evening, "Europe/Helsinki")[0].day == 3
