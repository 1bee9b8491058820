"""Presets: how each platform's export is understood, as data — one table per platform.

Where a Google Ads (or Meta, LinkedIn, Microsoft, TikTok, GA4, Salesforce, HubSpot,
Pipedrive, Shopify, WooCommerce) file is understood: its headers → SPEC §2 columns,
the headers that identify it, whether a row is a summed ad-platform row or one
deal/order, whether its empty metric cells mean 0, and where it states its own
reporting period.

Two kinds of layout:
- `counts`: an ad-platform row carries clicks, conversions, conversion value and spend
  together; the reader turns it into a results row and a cost row (category `ad spend`).
- `records`: a CRM or shop row is one deal or order; each won deal or distinct order id
  is one conversion, its amount is revenue, and contacts are unknown.

How the cells a preset names are read (blanks, per-row ranges, result indicators,
fallback columns) is `platform_cells`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from roi_reports.ingest.headers import normalise_header, normalised, split_header_currency

RowsKind = Literal["counts", "records"]
# stage or payment status values that make a record count (matched after normalise_header)
WON_STATUSES = frozenset(
    {"closed won", "closedwon", "won", "paid", "partially paid", "partially refunded"}
)


@dataclass(frozen=True)
class Preset:
    name: str  # what --preset and [input] preset take
    label: str  # the platform as people name it; the channel when rows carry none
    # export header → canonical column; the leftmost of several headers for one column wins
    columns: Mapping[str, str]
    # headers this platform writes; a header row with at least two of them is its export
    # (one alone, such as `Spend`, could be a team's own column), most hits winning
    markers: tuple[str, ...]
    rows: RowsKind = "counts"
    # platforms leave a zero cell empty (Meta) or write `--` (Google): those mean 0
    blank_is_zero: bool = True
    # a row's own reporting range, (start header, end header), used when it has no date
    range_columns: tuple[str, str] | None = None
    # rows carry their channel in a column (GA4 channel group, CRM lead source)
    channel_from_column: bool = False
    won_statuses: frozenset[str] = field(default=WON_STATUSES)
    # the header that says what each row's results are (Meta `Result indicator`): results
    # that are not conversions (post engagements, profile visits) count as 0 conversions
    result_indicator: str | None = None
    # canonical column → a header whose cell stands in where the mapped cell is blank
    # (a Shopify order marked paid without a `Paid at` is dated by its `Created at`)
    fallbacks: Mapping[str, str] = field(default_factory=dict)


GOOGLE_ADS = Preset(
    "google_ads",
    "Google Ads",
    {
        "Day": "date",
        "Week": "date",
        "Month": "period",
        "Campaign": "campaign",
        "Cost": "amount",
        "Clicks": "contacts",
        "Conversions": "conversions",
        "Conv. value": "revenue",
        "Conversion value": "revenue",
        "Currency code": "currency",
    },
    markers=("Conv. value", "Impr.", "Cost / conv.", "Campaign state", "Campaign status"),
)
META_ADS = Preset(
    "meta_ads",
    "Meta Ads",
    {
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
    markers=("Amount spent", "Reporting starts", "Reporting ends", "Result indicator"),
    range_columns=("Reporting starts", "Reporting ends"),
    result_indicator="Result indicator",
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
MICROSOFT_ADS = Preset(
    "microsoft_ads",
    "Microsoft Advertising",
    {
        "Gregorian date": "date",
        "TimePeriod": "date",
        "Campaign name": "campaign",
        "CampaignName": "campaign",
        "Spend": "amount",
        "Clicks": "contacts",
        "Conversions": "conversions",
        "Revenue": "revenue",
        "Currency code": "currency",
        "CurrencyCode": "currency",
    },
    markers=(
        "Spend",
        "Account name",
        "Gregorian date",
        "Ad distribution",
        "CurrencyCode",
        "Avg. position",
    ),
)
TIKTOK_ADS = Preset(
    "tiktok_ads",
    "TikTok Ads",
    {
        "By Day": "date",
        "Date": "date",
        "Campaign name": "campaign",
        "Cost": "amount",
        "Clicks (destination)": "contacts",
        "Conversions": "conversions",
        "Total complete payment value": "revenue",
        "Total purchase value": "revenue",
        "Currency": "currency",
    },
    markers=("Clicks (destination)", "CPC (destination)", "CTR (destination)", "By Day"),
)
GA4 = Preset(
    "ga4",
    "Google Analytics",
    {
        "Date": "date",
        "Session primary channel group (Default channel group)": "channel",
        "First user primary channel group (Default channel group)": "channel",
        "Session default channel group": "channel",
        "First user default channel group": "channel",
        "Session campaign": "campaign",
        "Sessions": "contacts",
        "New users": "contacts",
        "Key events": "conversions",
        "Conversions": "conversions",
        "Total revenue": "revenue",
    },
    # the channel group headers GA4 has written over the years, and its own metrics
    markers=(
        "Session primary channel group (Default channel group)",
        "First user primary channel group (Default channel group)",
        "Session default channel group",
        "First user default channel group",
        "Engaged sessions",
        "Engagement rate",
        "Key events",
        "Session key event rate",
    ),
    channel_from_column=True,
)
SALESFORCE = Preset(
    "salesforce",
    "Salesforce",
    {
        "Close Date": "date",
        "Lead Source": "channel",
        "Primary Campaign Source": "campaign",
        "Opportunity Owner": "employee",
        "Amount": "revenue",
        "Opportunity Currency": "currency",
        "Amount Currency": "currency",
        "Stage": "status",
        "Opportunity ID": "record",
    },
    markers=("Opportunity Name", "Opportunity Owner", "Fiscal Period", "Stage"),
    rows="records",
    blank_is_zero=False,
    channel_from_column=True,
)
HUBSPOT = Preset(
    "hubspot",
    "HubSpot",
    {
        "Close Date": "date",
        "Original Source Type": "channel",
        "Original Source": "channel",
        "Deal owner": "employee",
        "Amount": "revenue",
        "Currency": "currency",
        "Deal Stage": "status",
        "Record ID": "record",
    },
    markers=("Deal Name", "Deal Stage", "Deal owner", "Pipeline"),
    rows="records",
    blank_is_zero=False,
    channel_from_column=True,
)
SHOPIFY = Preset(
    "shopify",
    "Shopify",
    {
        "Name": "record",
        "Paid at": "date",
        "Subtotal": "revenue",
        "Currency": "currency",
        "Financial Status": "status",
        "Employee": "employee",
        "Source": "ignore",  # the sales channel (web, pos), not where the buyer came from
    },
    markers=("Financial Status", "Fulfillment Status", "Lineitem name", "Paid at"),
    rows="records",
    blank_is_zero=False,
    fallbacks={"date": "Created at"},
)

# Pipedrive deals export (Deals list → Export, CSV or Excel): every header is prefixed
# with its entity ("Deal - ", "Organization - ", "Person - "); Status is open/won/lost
PIPEDRIVE = Preset(
    "pipedrive",
    "Pipedrive",
    {
        "Deal - Won time": "date",
        "Deal - Source channel": "channel",
        "Deal - Owner": "employee",
        "Deal - Value": "revenue",
        "Deal - Currency": "currency",
        "Deal - Currency of value": "currency",
        "Deal - Status": "status",
        "Deal - ID": "record",
    },
    markers=("Deal - Title", "Deal - Stage", "Deal - Status", "Deal - Pipeline", "Deal - Owner"),
    rows="records",
    blank_is_zero=False,
    channel_from_column=True,
)
# WooCommerce Analytics → Orders → Download: one row per order; Net sales excludes
# shipping and tax (as Shopify's Subtotal); Attribution is the order's source
# ("Source: Google", "Organic: Google", "Direct") since WooCommerce 8.5
WOOCOMMERCE = Preset(
    "woocommerce",
    "WooCommerce",
    {
        "Date": "date",
        "Order #": "record",
        "Status": "status",
        "Net Sales": "revenue",
        "Attribution": "channel",
        "Customer": "ignore",  # the buyer, not an employee
    },
    markers=("Order #", "Customer type", "Product(s)", "Items sold", "Net Sales", "Coupon(s)"),
    rows="records",
    blank_is_zero=False,
    channel_from_column=True,
    # paid orders; on-hold awaits payment, refunded and cancelled did not sell
    won_statuses=frozenset({"completed", "processing"}),
)

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        GOOGLE_ADS,
        META_ADS,
        LINKEDIN_ADS,
        MICROSOFT_ADS,
        TIKTOK_ADS,
        GA4,
        SALESFORCE,
        HUBSPOT,
        PIPEDRIVE,
        SHOPIFY,
        WOOCOMMERCE,
    )
}
PRESET_CHOICES = ("auto", "none", *PRESETS)


MIN_MARKERS = 2


def detect_preset(headers: Iterable[object]) -> Preset | None:
    """The preset whose marker headers appear most in this row (None below two)."""
    keys = {split_header_currency(h)[0] for h in headers if h is not None}
    best: tuple[int, Preset] | None = None
    for preset in PRESETS.values():
        hits = sum(marker in keys for marker in normalised(preset.markers))
        if hits >= MIN_MARKERS and (best is None or hits > best[0]):
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


def column_positions(headers: list[object], wanted: Iterable[str]) -> list[int | None]:
    """Where each of `wanted` headers sits in a header row (None when absent)."""
    keys = [split_header_currency(h)[0] if h is not None else "" for h in headers]
    return [
        keys.index(normalise_header(w)) if normalise_header(w) in keys else None for w in wanted
    ]


def preset_choices_text() -> str:
    """`google_ads, meta_ads, …` for help texts."""
    return ", ".join(PRESETS)


__all__ = [
    "PRESETS",
    "PRESET_CHOICES",
    "Preset",
    "column_positions",
    "detect_preset",
    "header_currency",
]
