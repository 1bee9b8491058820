"""What the delivery tests share: a config for the test server, report files, one run."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from roi_reports.config import Config, parse_config
from roi_reports.delivery.deliver import Delivery, deliver
from roi_reports.delivery.pacing import Clock

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=ZoneInfo("Europe/Helsinki"))
PERIOD = "2026-10"
HEADLINE = {"ROI": "110.0%", "Revenue": "€1,050.00", "Cost": "€500.00"}
STAKEHOLDERS = [
    {"name": "Leena Johtaja", "email": "leena@example.com", "formats": ["pdf", "xlsx"]},
    {"name": "Aino Virtanen", "email": "aino@example.com", "scope": "employee:Aino Virtanen"},
    {
        "name": "Mikko Mäkinen",
        "email": "mikko@example.com",
        "scope": "channel:LinkedIn",
        "language": "fi",
    },
]


def make_config(
    port: int, stakeholders: list[dict[str, Any]] | None = None, **email: Any
) -> Config:
    settings = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": port,
        "sender": "reports@example.com",
        "timeout_s": 5,
        "retries": 2,
        "retry_delay_s": 0.01,
        **email,
    }
    return parse_config(
        {
            "report": {"title": "Marketing ROI", "timezone": "Europe/Helsinki"},
            "email": settings,
            "stakeholders": STAKEHOLDERS if stakeholders is None else stakeholders,
        }
    )


def make_reports(tmp_path: Path) -> dict[str, list[Path]]:
    """Report files as the monthly job hands them over: scope label → files."""
    folder = tmp_path / "out" / PERIOD
    folder.mkdir(parents=True)
    files = {
        "all": "roi-executive-2026-10.pdf",
        "employee:Aino Virtanen": "roi-employee-aino-virtanen-2026-10.pdf",
        "channel:LinkedIn": "roi-channel-linkedin-2026-10.pdf",
        "xlsx": "roi-summary-2026-10.xlsx",
    }
    made = {}
    for scope, name in files.items():
        path = folder / name
        path.write_bytes(f"%PDF-1.7 report for {scope}\n".encode() * 50)
        made[scope] = [path]
    return made


def run(
    config: Config, reports: dict[str, list[Path]], tmp_path: Path, **options: Any
) -> list[Delivery]:
    options = {"send": True, "now": NOW, **options}
    return deliver(
        config,
        PERIOD,
        HEADLINE,
        reports,
        ledger_path=tmp_path / "ledger.sqlite",
        outbox_dir=tmp_path / "outbox" / PERIOD,
        **options,
    )


class FakeClock(Clock):
    """Time that passes only by waiting: the limits' arithmetic without the waits."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=sum(self.slept))

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept.append(seconds)


def people(count: int, scope: str = "all") -> list[dict[str, Any]]:
    """`count` stakeholders p001@example.com … with the same report."""
    return [
        {"name": f"Person {n:03d}", "email": f"p{n:03d}@example.com", "scope": scope}
        for n in range(1, count + 1)
    ]
