"""The delivery ledger: an SQLite file that remembers every report email sent.

Each send is two commits: an *intent* before the SMTP conversation and a *sent* mark
after it. A crash in between leaves an intent without a mark; the next run cannot know
whether the server accepted the message, so it treats it as possibly sent (status
`unconfirmed`): no resend unless forced, and the run reports it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

LEDGER_FILE_NAME = "ledger.sqlite"
LedgerStatus = Literal["intent", "sent", "unconfirmed", "failed"]
# Rows in these states block a resend of the same report to the same person.
DELIVERED_OR_MAYBE = ("intent", "sent", "unconfirmed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    scope TEXT NOT NULL,
    attachments TEXT NOT NULL,      -- JSON list of {"name", "sha256"}
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,           -- intent, sent, unconfirmed, failed
    forced INTEGER NOT NULL DEFAULT 0,
    intent_at TEXT NOT NULL,
    done_at TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_key ON deliveries (period, email, scope);
CREATE TABLE IF NOT EXISTS approvals (
    period TEXT PRIMARY KEY,
    approved_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Outgoing:
    """One report email as the ledger records it."""

    period: str
    name: str
    email: str
    scope: str
    attachments: tuple[tuple[str, str], ...]  # (file name, sha256)
    message_id: str
    forced: bool = False


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    period: str
    name: str
    email: str
    scope: str
    attachments: tuple[tuple[str, str], ...]  # (file name, sha256)
    message_id: str
    status: LedgerStatus
    forced: bool
    intent_at: str
    done_at: str | None
    error: str | None


class Ledger:
    """Open with `Ledger(path)`; use as a context manager to close it."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        """`read_only` (for previews such as the send plan) needs an existing ledger."""
        if read_only:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: every statement is its own durable transaction.
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self._db.executescript(_SCHEMA)
        self._db.row_factory = sqlite3.Row

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def last_delivered(self, period: str, email: str, scope: str) -> LedgerEntry | None:
        """The latest sent (or possibly sent) row for this report and person."""
        marks = ", ".join("?" for _ in DELIVERED_OR_MAYBE)
        row = self._db.execute(
            f"SELECT * FROM deliveries WHERE period = ? AND email = ? AND scope = ? "
            f"AND status IN ({marks}) ORDER BY id DESC LIMIT 1",
            (period, email.lower(), scope, *DELIVERED_OR_MAYBE),
        ).fetchone()
        return None if row is None else _entry(row)

    def record_intent(self, message: Outgoing, at: datetime) -> int:
        """Before the server can accept `message`: from now on it is possibly sent."""
        return self._insert(message, "intent", at)

    def record_failure(self, message: Outgoing, at: datetime, error: str) -> int:
        """A delivery refused before the end of DATA, or not tried: nothing was sent."""
        return self._insert(message, "failed", at, error)

    def _insert(
        self, message: Outgoing, status: LedgerStatus, at: datetime, error: str | None = None
    ) -> int:
        files = json.dumps([{"name": n, "sha256": h} for n, h in message.attachments])
        done = at.isoformat() if status != "intent" else None
        cursor = self._db.execute(
            "INSERT INTO deliveries (period, name, email, scope, attachments, message_id, "
            "status, forced, intent_at, done_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message.period,
                message.name,
                message.email.lower(),
                message.scope,
                files,
                message.message_id,
                status,
                int(message.forced),
                at.isoformat(),
                done,
                error,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def sent_times(self, since: datetime) -> list[datetime]:
        """When each message that reached a server at or after `since` was handed over.

        Counts sent, possibly sent and unfinished rows of every period: what the mail
        service counts against the sender's limits. Times are stored with their UTC
        offset; the date prefix narrows the scan (offsets are within ±1 day).
        """
        marks = ", ".join("?" for _ in DELIVERED_OR_MAYBE)
        earliest = (since - timedelta(days=1)).date().isoformat()
        rows = self._db.execute(
            f"SELECT intent_at FROM deliveries WHERE intent_at >= ? AND status IN ({marks})",
            (earliest, *DELIVERED_OR_MAYBE),
        ).fetchall()
        times = (_aware(datetime.fromisoformat(str(row["intent_at"]))) for row in rows)
        return sorted(t for t in times if t >= since)

    def mark(
        self, entry_id: int, status: LedgerStatus, at: datetime, error: str | None = None
    ) -> None:
        self._db.execute(
            "UPDATE deliveries SET status = ?, done_at = ?, error = ? WHERE id = ?",
            (status, at.isoformat(), error, entry_id),
        )

    def approve(self, period: str, at: datetime) -> None:
        """Release the period's deliveries held by `[email] require_approval`."""
        self._db.execute(
            "INSERT OR IGNORE INTO approvals (period, approved_at) VALUES (?, ?)",
            (period, at.isoformat()),
        )

    def approved(self, period: str) -> bool:
        try:
            query = "SELECT 1 FROM approvals WHERE period = ?"
            row = self._db.execute(query, (period,)).fetchone()
        except sqlite3.OperationalError:  # read-only, from before approvals existed
            return False
        return row is not None

    def delivered(self, period: str) -> set[tuple[str, str]]:
        """(email, scope) of every report of the period sent or possibly sent."""
        marks = ", ".join("?" for _ in DELIVERED_OR_MAYBE)
        rows = self._db.execute(
            f"SELECT email, scope FROM deliveries WHERE period = ? AND status IN ({marks})",
            (period, *DELIVERED_OR_MAYBE),
        ).fetchall()
        return {(str(row["email"]), str(row["scope"])) for row in rows}

    def entries(self, period: str | None = None) -> list[LedgerEntry]:
        """Every row, oldest first (for audits and tests)."""
        args: tuple[str, ...]
        query, args = "SELECT * FROM deliveries", ()
        if period is not None:
            query, args = query + " WHERE period = ?", (period,)
        return [_entry(row) for row in self._db.execute(query + " ORDER BY id", args)]


def _aware(moment: datetime) -> datetime:
    """Times are written with their offset; a bare one is taken as this machine's."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def _entry(row: sqlite3.Row) -> LedgerEntry:
    files = json.loads(row["attachments"])
    return LedgerEntry(
        id=row["id"],
        period=row["period"],
        name=row["name"],
        email=row["email"],
        scope=row["scope"],
        attachments=tuple((f["name"], f["sha256"]) for f in files),
        message_id=row["message_id"],
        status=row["status"],
        forced=bool(row["forced"]),
        intent_at=row["intent_at"],
        done_at=row["done_at"],
        error=row["error"],
    )
