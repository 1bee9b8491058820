"""How fast to send: the per-minute window, the daily cap and pauses when throttled.

Pure bookkeeping over a `Clock`, so the rules can be checked without waiting: the
delivery loop asks how long to wait and the clock does the waiting.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

WINDOW_S = 60.0
MAX_PAUSE_FACTOR = 8  # a throttle pause grows to at most 8 × throttle_pause_s


class Clock:
    """Wall time for the ledger and the limits, and the waiting itself."""

    def now(self) -> datetime:
        return datetime.now().astimezone()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class MinuteWindow:
    """At most `limit` messages started in any 60 seconds (`[email] max_per_minute`)."""

    def __init__(self, limit: int | None, earlier: Iterable[datetime] = ()) -> None:
        self.limit = limit
        self._starts: deque[float] = deque(sorted(t.timestamp() for t in earlier))

    def wait_s(self, now: datetime) -> float:
        """Seconds until one more message may start."""
        if self.limit is None:
            return 0.0
        at = now.timestamp()
        while self._starts and self._starts[0] <= at - WINDOW_S:
            self._starts.popleft()
        if len(self._starts) < self.limit:
            return 0.0
        return self._starts[-self.limit] + WINDOW_S - at

    def record(self, now: datetime) -> None:
        self._starts.append(now.timestamp())


def day_bounds(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Start and end of `now`'s calendar day in `timezone` ([report] timezone)."""
    local = now.astimezone(ZoneInfo(timezone))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    # wall-clock arithmetic: the next midnight, whatever the day's length (DST)
    return start, start + timedelta(days=1)


class DailyCap:
    """`[email] max_per_day`: messages that reached the server today, from the ledger on."""

    def __init__(self, limit: int | None, timezone: str) -> None:
        self.limit = limit
        self.timezone = timezone
        self._day: datetime | None = None
        self.used = 0

    def start_day(self, now: datetime, sent_today: int) -> None:
        self._day, _end = day_bounds(now, self.timezone)
        self.used = sent_today

    def needs_recount(self, now: datetime) -> bool:
        """True at the start and after midnight: count the day's sends from the ledger."""
        return self.limit is not None and (
            self._day is None or day_bounds(now, self.timezone)[0] != self._day
        )

    def allows(self) -> bool:
        return self.limit is None or self.used < self.limit

    def count(self) -> None:
        self.used += 1


class Throttle:
    """Pauses while the server keeps throttling; None once the wait budget is spent.

    The first throttle answer on a connection that already carried messages is most often
    the server's per-connection limit: reconnect at once. Otherwise pause
    `throttle_pause_s`, doubling while the server keeps throttling (up to 8×), until
    `max_throttle_wait_min` passed without one message accepted.
    """

    def __init__(self, first_pause_s: float, max_wait_min: float) -> None:
        self.first_pause_s = first_pause_s
        self.budget_s = max_wait_min * 60
        self.reset()

    def reset(self) -> None:
        """A message was accepted: the server is letting us through again."""
        self._in_a_row = 0
        self._pauses = 0
        self._waited_s = 0.0

    def next_pause(self, connection_carried_messages: bool) -> float | None:
        """Seconds to wait before trying again; None: stop for this run."""
        self._in_a_row += 1
        if self._in_a_row == 1 and connection_carried_messages:
            return 0.0
        if self._waited_s >= self.budget_s:
            return None
        self._pauses += 1
        growth = min(2 ** (self._pauses - 1), MAX_PAUSE_FACTOR)
        pause = min(self.first_pause_s * growth, self.budget_s - self._waited_s)
        self._waited_s += pause
        return pause


class Eta:
    """Minutes left, from the pace so far and never below what max_per_minute allows."""

    def __init__(self, total: int, per_minute: int | None) -> None:
        self.total = total
        self.per_minute = per_minute
        self.done = 0
        self.sent = 0
        self._started = time.monotonic()
        self._transmitted = 0

    def finished(self, transmitted: bool, sent: bool) -> None:
        """One more stakeholder done; `transmitted`: it took time at the server."""
        self.done += 1
        self.sent += sent
        self._transmitted += transmitted

    def minutes_left(self) -> float:
        left = self.total - self.done
        if left <= 0:
            return 0.0
        paced = left / self.per_minute if self.per_minute else 0.0
        if not self._transmitted:
            return paced
        per_message_s = (time.monotonic() - self._started) / self._transmitted
        return max(paced, left * per_message_s / 60)
