"""Send report emails one after another over one SMTP session: ledger, limits, pauses.

For each message: the ledger says whether it went out already; the daily cap and the
per-minute window say when it may go; the session carries it (reconnecting and logging in
again when the server closed the connection or `max_per_connection` is reached); the
ledger records the intent just before the end of DATA and the outcome right after the
reply. Throttle answers pause and resume; once the pauses use up `max_throttle_wait_min`,
or the day's cap is reached, the rest are `deferred` to the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from roi_reports.delivery.ledger import Ledger, LedgerEntry, Outgoing
from roi_reports.delivery.pacing import (
    WINDOW_S,
    Clock,
    DailyCap,
    MinuteWindow,
    Throttle,
    day_bounds,
)
from roi_reports.delivery.session import SmtpSession
from roi_reports.delivery.smtp import Credentials, SmtpProblem
from roi_reports.email_settings import EmailConfig
from roi_reports.i18n import gettext_for

Verdict = Literal["sent", "already-sent", "possibly-sent", "deferred", "failed"]
ASK_OR_FORCE = "ask the recipient, or use --force to send again"


@dataclass(frozen=True)
class Outcome:
    """What happened to one message in this run."""

    status: Verdict
    attempts: int = 0
    error: str | None = None
    note: str | None = None


class Dispatcher:
    """Use as a context manager: the SMTP connection is closed at the end."""

    def __init__(
        self,
        settings: EmailConfig,
        login: Credentials | None,
        sender: str,
        ledger: Ledger,
        timezone: str,
        clock: Clock,
        report: Callable[[str], None],
        language: str = "en",
    ) -> None:
        self.settings = settings
        self.language = language
        self.ledger = ledger
        self.timezone = timezone
        self.clock = clock
        self.report = report
        self.session = SmtpSession(settings, login, sender)
        since = clock.now() - timedelta(seconds=WINDOW_S)  # a rerun right after a kill
        self.window = MinuteWindow(settings.max_per_minute, ledger.sent_times(since))
        self.cap = DailyCap(settings.max_per_day, timezone)
        self.throttle = Throttle(settings.throttle_pause_s, settings.max_throttle_wait_min)
        self.stopped: Outcome | None = None  # what every remaining message gets

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.session.close()

    def sent_before(
        self, period: str, email: str, scope: str
    ) -> tuple[LedgerEntry, Outcome] | None:
        """The ledger's row when this report went (or possibly went) to this person."""
        earlier = self.ledger.last_delivered(period, email, scope)
        return None if earlier is None else (earlier, self._earlier(earlier))

    def dispatch(self, message: Outgoing, data: bytes) -> Outcome:
        earlier = self.sent_before(message.period, message.email, message.scope)
        if earlier is not None and not message.forced:
            return earlier[1]
        if self.stopped is None and not self._within_daily_cap():
            cap = self.settings.max_per_day
            self.stopped = Outcome(
                "deferred", note=f"[email] max_per_day = {cap} reached; the next run continues"
            )
        if self.stopped is not None:
            if self.stopped.status == "failed":
                self.ledger.record_failure(message, self.clock.now(), self.stopped.error or "")
            return self.stopped
        return self._send(message, data)

    def _send(self, message: Outgoing, data: bytes) -> Outcome:
        attempts = retries = 0
        while True:
            attempts += 1
            problem, intent = self._attempt(message, data)
            if problem is None:
                assert intent is not None
                self.ledger.mark(intent, "sent", self.clock.now())
                self.throttle.reset()
                return Outcome("sent", attempts)
            if problem.kind == "unconfirmed":
                assert intent is not None
                self.ledger.mark(intent, "unconfirmed", self.clock.now(), error=problem.text)
                self.cap.count()  # it may well have reached the server
                return Outcome("possibly-sent", attempts, note=f"{problem.text}; {ASK_OR_FORCE}")
            if intent is not None:  # refused at the end of DATA: the server did not take it
                self.ledger.mark(intent, "failed", self.clock.now(), error=problem.text)
            if problem.kind == "throttle":
                if self._paused(problem):
                    continue
                return self._stop(Outcome("deferred", attempts, note=self._gave_up(problem)))
            if problem.kind == "temporary" and retries < self.settings.retries:
                retries += 1
                self.clock.sleep(self.settings.retry_delay_s * 2 ** (retries - 1))
                continue
            return self._failed(message, problem, attempts, recorded=intent is not None)

    def _attempt(self, message: Outgoing, data: bytes) -> tuple[SmtpProblem | None, int | None]:
        """One try over the session: (the problem or None, the ledger's intent row)."""
        intent: list[int] = []

        def record_intent() -> None:
            intent.append(self.ledger.record_intent(message, self.clock.now()))

        try:
            self._pace()
            self.session.open()
            self.window.record(self.clock.now())
            self.session.transmit([message.email], data, before_end=record_intent)
        except SmtpProblem as problem:
            return problem, intent[0] if intent else None
        self.cap.count()
        return None, intent[0]

    def _pace(self) -> None:
        """Reconnect after max_per_connection messages; wait for a slot in the minute."""
        limit = self.settings.max_per_connection
        if limit is not None and self.session.messages_on_connection >= limit:
            self.session.close()
        self.clock.sleep(self.window.wait_s(self.clock.now()))

    def _paused(self, problem: SmtpProblem) -> bool:
        """Pause as the server asked; False when the run's wait budget is spent."""
        pause = self.throttle.next_pause(self.session.messages_on_connection > 0)
        if pause is None:
            return False
        if pause > 0:
            _ = gettext_for(self.language)
            line = _("the server asks to slow down ({answer}): pausing {seconds} s, then resuming")
            self.report(line.format(answer=problem.text, seconds=f"{pause:.0f}"))
        self.session.close()
        self.clock.sleep(pause)
        return True

    def _gave_up(self, problem: SmtpProblem) -> str:
        minutes = self.settings.max_throttle_wait_min
        return (
            f"the server kept throttling for [email] max_throttle_wait_min = {minutes:g} "
            f"({problem.text}); the next run continues"
        )

    def _failed(
        self, message: Outgoing, problem: SmtpProblem, attempts: int, recorded: bool
    ) -> Outcome:
        kind = "temporary failure" if problem.kind != "permanent" else "permanent failure"
        where = f"{self.settings.host}:{self.settings.port}"
        error = f"{kind} after {attempts} attempt(s) via {where}: {problem.text}"
        if not recorded:
            self.ledger.record_failure(message, self.clock.now(), error)
        if problem.opening:  # connecting or logging in failed: so would every other message
            self._stop(Outcome("failed", error=f"not tried, the server refused this run: {error}"))
        return Outcome("failed", attempts, error=error)

    def _stop(self, outcome: Outcome) -> Outcome:
        """From now on every message that still needs sending gets `outcome` (no attempt)."""
        self.stopped = Outcome(outcome.status, 0, outcome.error, outcome.note)
        self.session.close()
        return outcome

    def _within_daily_cap(self) -> bool:
        now = self.clock.now()
        if self.cap.needs_recount(now):
            start, _end = day_bounds(now, self.timezone)
            self.cap.start_day(now, len(self.ledger.sent_times(start)))
        return self.cap.allows()

    def _earlier(self, earlier: LedgerEntry) -> Outcome:
        """Sent before, or possibly sent: never again without --force."""
        if earlier.status == "sent":
            return Outcome(
                "already-sent", note=f"already sent at {earlier.done_at}; use --force to send again"
            )
        if earlier.status == "intent":
            # A run stopped between handing the message over and recording the answer.
            self.ledger.mark(earlier.id, "unconfirmed", self.clock.now())
            why = "a run stopped before the server confirmed it"
        else:
            why = earlier.error or "the server did not confirm it"
        return Outcome(
            "possibly-sent",
            note=f"possibly sent at {earlier.intent_at} ({why}), so it may have arrived; "
            + ASK_OR_FORCE,
        )
