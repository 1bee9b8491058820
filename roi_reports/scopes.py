"""Who a report is for: everything, or one channel, employee, campaign or team.

Kept apart from `reports.model` so the config (which validates stakeholder scopes) can use
it without importing the report engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from roi_reports.errors import UsageError

ScopeKind = Literal["all", "channel", "employee", "campaign", "team"]
NAMED_KINDS = ("channel", "employee", "campaign", "team")


@dataclass(frozen=True)
class Scope:
    """Who a report is for: everything, or one channel, employee, campaign or team."""

    kind: ScopeKind = "all"
    name: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        """`all`, `channel:LinkedIn`, `employee:Aino Virtanen`, `campaign:Slush 2026`,
        `team:North`."""
        if text.strip() == "all":
            return cls()
        kind, sep, name = text.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in NAMED_KINDS or not name.strip():
            raise UsageError(
                f"unknown scope {text!r}: use all, channel:NAME, employee:NAME, campaign:NAME "
                "or team:NAME"
            )
        return cls(kind, name.strip())  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        return "all" if self.kind == "all" else f"{self.kind}:{self.name}"
