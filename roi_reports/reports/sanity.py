"""Sanity flags: figures that are possible but usually mean a data mistake.

Spend without contacts, a ROAS above a ceiling, or a swing against the previous period
larger than a limit. They are shown at the top of the summary PDF and in the Data quality
sheet and never block delivery: the reader decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from roi_reports.config import SanityConfig
from roi_reports.i18n import N_, gettext_for
from roi_reports.metrics import METRICS
from roi_reports.reports.formatting import format_change, format_metric, format_value

FlagKind = Literal["spend_without_contacts", "roas_above_ceiling", "swing"]
SWING_METRICS = ("revenue", "cost")
MESSAGES: dict[FlagKind, str] = {
    "spend_without_contacts": N_("{name}: spend of {value} but no contacts in the period"),
    "roas_above_ceiling": N_("{name}: ROAS {value} is above {limit}; check revenue and costs"),
    "swing": N_("{name}: {metric} changed {value} against the previous period (limit {limit})"),
}


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    name: str  # the channel
    metric: str
    value: float
    limit: float | None = None


def sanity_flags(by_channel: pd.DataFrame, settings: SanityConfig) -> tuple[Flag, ...]:
    """Flags for each named channel of a period's by-channel table (with change columns)."""
    table = by_channel[by_channel["channel"].notna()]
    names = table["channel"].astype(str)
    idle = (table["cost"] > 0) & (table["contacts"] == 0)
    flags = [
        Flag("spend_without_contacts", name, "cost", cost)
        for name, cost in zip(names[idle], table["cost"][idle], strict=True)
    ]
    high = table["roas"] > settings.max_roas
    flags += [
        Flag("roas_above_ceiling", name, "roas", roas, settings.max_roas)
        for name, roas in zip(names[high], table["roas"][high], strict=True)
    ]
    for metric in SWING_METRICS:
        change = table.get(f"{metric}_change_pct")
        if change is None:
            continue
        swung = change.abs() > settings.max_change_pct
        flags += [
            Flag("swing", name, metric, pct, settings.max_change_pct)
            for name, pct in zip(names[swung], change[swung], strict=True)
        ]
    return tuple(flags)


def describe_flag(flag: Flag, currency: str, language: str = "en") -> str:
    _ = gettext_for(language)
    if flag.kind == "swing":
        value = format_change(flag.value, "percent", currency, language)
        limit = format_value(flag.limit, "percent", currency, language)
    else:
        value = format_metric(flag.metric, flag.value, currency, language)
        limit = format_metric(flag.metric, flag.limit, currency, language)
    metric = _(METRICS[flag.metric].label)
    return _(MESSAGES[flag.kind]).format(name=flag.name, metric=metric, value=value, limit=limit)
