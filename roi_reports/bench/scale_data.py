"""Deterministic Parquet exports for `make bench-scale` and the engine tests.

Two years of daily results and costs for every dimension: channels (one with no contacts
and no revenue, so ratios are undefined), campaigns, employees, cost categories, shared
costs (blank channel, employee or campaign), amounts in USD and SEK with monthly exchange
rates, and targets. Rows are written in chunks, one Parquet file each, so twenty million
rows never sit in memory at once. Campaigns run on one channel and employees work one
channel each, so the month sums have the size a real team's would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CHANNELS = ("LinkedIn", "Trade fairs", "Google Ads", "Meta Ads", "Webinars", "Dormant")
CAMPAIGNS = tuple(f"Campaign {i:02d}" for i in range(1, 61))
EMPLOYEES = tuple(f"Employee {i:03d}" for i in range(1, 121))
CATEGORIES = ("ad spend", "booth", "travel", "fees", "content")
CURRENCIES = ("EUR", "EUR", "EUR", "USD", "SEK")
FIRST_DAY = pd.Timestamp("2025-01-01")
DAYS = 730
RATES = {"USD": 0.92, "SEK": 0.087}


@dataclass(frozen=True)
class ScaleData:
    folder: Path
    rows: int  # result rows; cost rows are a tenth

    @property
    def pattern(self) -> str:
        return str(self.folder / "*.parquet")


def _keys(
    rng: np.random.Generator, n: int, channels: int = len(CHANNELS)
) -> dict[str, pd.Categorical]:
    """Channel, campaign and employee of n rows: a campaign runs on one channel and each
    employee works one channel, as in a real team (so the month sums stay realistic)."""
    campaign = rng.integers(0, len(CAMPAIGNS) // channels, n) * channels
    channel = rng.integers(0, channels, n)
    employee = rng.integers(0, len(EMPLOYEES) // channels, n) * channels + channel
    return {
        "channel": pd.Categorical(np.asarray(CHANNELS)[channel]),
        "campaign": pd.Categorical(np.asarray(CAMPAIGNS)[campaign + channel]),
        "employee": pd.Categorical(np.asarray(EMPLOYEES)[employee]),
    }


def _blank(rng: np.random.Generator, values: pd.Categorical, share: float) -> pd.Categorical:
    """A share of the values left blank."""
    blanked = values.copy()
    blanked[rng.random(len(values)) < share] = np.nan
    return blanked


def _pick(rng: np.random.Generator, values: tuple[str, ...], n: int) -> pd.Categorical:
    """Values drawn uniformly (repeat a value to weight it)."""
    return pd.Categorical(np.asarray(values)[rng.integers(0, len(values), n)])


def _dates(rng: np.random.Generator, n: int) -> pd.DatetimeIndex:
    return FIRST_DAY + pd.to_timedelta(rng.integers(0, DAYS, n), unit="D")


def results_chunk(rng: np.random.Generator, n: int) -> pd.DataFrame:
    keys = _keys(rng, n)
    dormant = np.asarray(keys["channel"] == "Dormant")
    contacts = np.where(dormant, 0, rng.integers(0, 60, n)).astype("float64")
    conversions = np.minimum(rng.integers(0, 12, n), contacts)
    revenue = np.where(dormant | (conversions == 0), 0.0, rng.random(n) * 2000).round(2)
    return pd.DataFrame(
        {
            "date": _dates(rng, n),
            "channel": keys["channel"],
            "campaign": _blank(rng, keys["campaign"], 0.05),
            "employee": keys["employee"],
            "contacts": contacts,
            "conversions": conversions,
            "revenue": revenue,
            "gross_profit": (revenue * rng.uniform(0.2, 0.6, n)).round(2),
            "currency": _pick(rng, CURRENCIES, n),
        }
    )


def costs_chunk(rng: np.random.Generator, n: int) -> pd.DataFrame:
    keys = _keys(rng, n, channels=len(CHANNELS) - 1)  # the dormant channel costs nothing
    return pd.DataFrame(
        {
            "date": _dates(rng, n),
            "channel": _blank(rng, keys["channel"], 0.1),  # blank: a shared cost
            "campaign": _blank(rng, keys["campaign"], 0.3),
            "employee": _blank(rng, keys["employee"], 0.3),
            "category": _pick(rng, CATEGORIES, n),
            "amount": (rng.random(n) * 800).round(2),
            "currency": _pick(rng, CURRENCIES, n),
        }
    )


def small_tables() -> dict[str, pd.DataFrame]:
    months = pd.period_range(FIRST_DAY, periods=DAYS // 30 + 2, freq="M").astype(str)
    fx = pd.DataFrame(
        [
            {"currency": code, "month": month, "rate": round(rate * (1 + i % 7 / 100), 6)}
            for code, rate in RATES.items()
            for i, month in enumerate(months)
        ]
    )
    targets = pd.DataFrame(
        {
            "period": ["2026-10", "2026-10", "2026-Q3"],
            "dimension": ["channel", "total", "channel"],
            "name": ["LinkedIn", None, "Webinars"],
            "metric": ["revenue", "roi_pct", "conversions"],
            "target": [90_000.0, 150.0, 400.0],
        }
    )
    return {"fx-rates": fx, "targets": targets}


def write_scale_data(
    folder: Path, rows: int, chunk_rows: int = 1_000_000, seed: int = 11
) -> ScaleData:
    """Write the exports once: a `done` marker makes later calls reuse them."""
    data = ScaleData(folder, rows)
    if (folder / "done").exists():
        return data
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for kind, total, make in (("results", rows, results_chunk), ("costs", rows // 10, costs_chunk)):
        for number, start in enumerate(range(0, total, chunk_rows)):
            chunk = make(rng, min(chunk_rows, total - start))
            row_group = max(1, min(len(chunk), 250_000))
            chunk.to_parquet(folder / f"{kind}-{number:04d}.parquet", row_group_size=row_group)
    for name, frame in small_tables().items():
        frame.to_parquet(folder / f"{name}.parquet")
    (folder / "done").write_text(f"{rows}\n")
    return data
