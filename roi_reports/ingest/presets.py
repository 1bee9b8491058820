"""Presets: the column names of common ad-platform exports, mapped onto SPEC §2 columns.

An export row carries clicks, conversions, conversion value and spend together; the
reader turns it into a results row and a cost row (category `ad spend`). Exports have no
channel column, so the preset names the channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from roi_reports.ingest.schemas import normalise_header, split_header_currency


@dataclass(frozen=True)
class Preset:
    name: str
    channel: str
    # export header → canonical column; earlier entries win when several are present
    columns: Mapping[str, str]
    # headers only this platform writes; one of them identifies an export
    markers: tuple[str, ...]


GOOGLE_ADS = Preset(
    "google_ads",
    "Google Ads",
    {
        "Day": "date",
        "Week": "date",
        "Campaign": "campaign",
        "Cost": "amount",
        "Clicks": "contacts",
        "Conversions": "conversions",
        "Conv. value": "revenue",
        "Conversion value": "revenue",
        "Currency code": "currency",
    },
    markers=("Conv. value", "Impr.", "Currency code", "Cost / conv.", "Campaign state"),
)
META_ADS = Preset(
    "meta_ads",
    "Meta Ads",
    {
        "Reporting starts": "date",
        "Day": "date",
        "Campaign name": "campaign",
        "Amount spent": "amount",
        "Link clicks": "contacts",
        "Clicks (all)": "contacts",
        "Results": "conversions",
        "Purchases": "conversions",
        "Purchase conversion value": "revenue",
        "Purchases conversion value": "revenue",
        "Website purchases conversion value": "revenue",
        "Currency": "currency",
    },
    markers=("Amount spent", "Reporting starts", "Purchase conversion value", "Result indicator"),
)
LINKEDIN_ADS = Preset(
    "linkedin_ads",
    "LinkedIn Ads",
    {
        "Start Date (in UTC)": "date",
        "Start Date": "date",
        "Campaign Name": "campaign",
        "Campaign": "campaign",
        "Total Spent": "amount",
        "Clicks": "contacts",
        "Conversions": "conversions",
        "Total Conversion Value": "revenue",
        "Conversion Value": "revenue",
        "Currency": "currency",
    },
    markers=("Total Spent", "Start Date (in UTC)", "Campaign Group Name"),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (GOOGLE_ADS, META_ADS, LINKEDIN_ADS)}
PRESET_CHOICES = ("auto", "none", *PRESETS)


def detect_preset(headers: Iterable[object]) -> Preset | None:
    """The preset whose marker headers appear most in this row (None if no marker does)."""
    keys = {split_header_currency(h)[0] for h in headers if h is not None}
    best: tuple[int, Preset] | None = None
    for preset in PRESETS.values():
        hits = sum(normalise_header(marker) in keys for marker in preset.markers)
        if hits and (best is None or hits > best[0]):
            best = (hits, preset)
    return best[1] if best else None


def header_currency(headers: Iterable[object], mapped: Iterable[int]) -> str | None:
    """The currency named in a money header, e.g. `Amount spent (EUR)` → EUR."""
    by_position = list(headers)
    for position in mapped:
        _, currency = split_header_currency(by_position[position])
        if currency:
            return currency
    return None
