"""The bench's mail server: aiosmtpd on 127.0.0.1 that counts, limits and throttles.

It keeps the recipients of every accepted message (not the bodies), answers MAIL with
"451 4.7.1" once `per_minute` messages were accepted in the last 60 seconds, and answers
the end of DATA of every `refuse_every`-th message with 421 (the message is not kept)
and closes the connection, as a busy mail service does.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller


class SinkHandler:
    def __init__(self, per_minute: int, refuse_every: int) -> None:
        self.per_minute = per_minute
        self.refuse_every = refuse_every
        self.recipients: list[str] = []  # one entry per accepted message and recipient
        self.over_limit = 0  # MAIL commands refused by the per-minute limit
        self.refused = 0  # ends of DATA answered 421
        self._ends = 0
        self._accepted: deque[float] = deque()
        self._lock = threading.Lock()

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self._lock:
            while self._accepted and self._accepted[0] <= time.monotonic() - 60:
                self._accepted.popleft()
            if len(self._accepted) >= self.per_minute:
                self.over_limit += 1
                return "451 4.7.1 Too many messages per minute, slow down"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self._ends += 1
            if self._ends % self.refuse_every == 0:
                self.refused += 1
                # close once the answer is written: 421 means the server hangs up
                asyncio.get_running_loop().call_soon(server.transport.close)
                return "421 4.7.0 Try again later, closing connection"
            self.recipients.extend(envelope.rcpt_tos)
            self._accepted.append(time.monotonic())
        return "250 2.0.0 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_sink(handler: SinkHandler) -> Iterator[int]:
    """Serve `handler` on a free loopback port; yields the port."""
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
