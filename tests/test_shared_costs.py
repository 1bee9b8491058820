"""Shared costs (SPEC §4): unassigned by default, otherwise allocated in cents."""

import pandas as pd
import pytest

from roi_reports import compute_metrics
from roi_reports.allocation import largest_remainder, to_cents
from roi_reports.config import Config, ReportConfig
from tests.helpers import make_dataset

RESULTS = [
    {"date": "2026-10-05", "channel": "A", "contacts": 10, "conversions": 2, "revenue": 100.0},
    {"date": "2026-10-06", "channel": "B", "contacts": 20, "conversions": 2, "revenue": 200.0},
    {"date": "2026-10-07", "channel": "C", "contacts": 30, "conversions": 2, "revenue": 0.0},
]
COSTS = [
    {"date": "2026-10-01", "channel": "A", "amount": 50.0},
    {"date": "2026-10-01", "channel": "B", "amount": 150.0},
    {"date": "2026-10-15", "channel": None, "category": "software", "amount": 100.0},
]


def by_channel(mode: str) -> pd.DataFrame:
    config = Config(report=ReportConfig(shared_costs=mode))
    return compute_metrics(make_dataset(RESULTS, COSTS), config, by="channel", period="2026-10")


def test_none_keeps_shared_costs_unassigned():
    table = by_channel("none")
    unassigned = table[table["channel"].isna()].iloc[0]
    assert unassigned["cost"] == 100.0
    assert table["channel"].isna().sum() == 1
    assert pd.isna(table.iloc[-1]["channel"])  # listed last


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("revenue", {"A": 33.33, "B": 66.67, "C": 0.0}),  # 100:200:0
        ("contacts", {"A": 16.67, "B": 33.33, "C": 50.0}),  # 10:20:30
        ("cost", {"A": 25.0, "B": 75.0, "C": 0.0}),  # 50:150:0 direct costs
        ("even", {"A": 33.34, "B": 33.33, "C": 33.33}),  # remainder cent to the first
    ],
)
def test_allocation_modes(mode, expected):
    table = by_channel(mode).set_index("channel")
    direct = {"A": 50.0, "B": 150.0, "C": 0.0}
    for channel, share in expected.items():
        assert table.loc[channel, "cost"] == pytest.approx(direct[channel] + share, abs=1e-9)
    assert table["cost"].sum() == pytest.approx(300.0, abs=1e-9)
    assert table.index.notna().all()


def test_shared_cost_only_goes_to_groups_active_in_its_month():
    results = [
        *RESULTS,
        {"date": "2026-09-10", "channel": "D", "contacts": 5, "conversions": 1, "revenue": 999.0},
    ]
    config = Config(report=ReportConfig(shared_costs="revenue"))
    table = compute_metrics(make_dataset(results, COSTS), config, by="channel")
    assert table.set_index("channel").loc["D", "cost"] == 0.0


def test_shared_cost_with_nobody_to_share_with_stays_unassigned():
    costs = [{"date": "2026-11-01", "channel": None, "amount": 40.0}]
    config = Config(report=ReportConfig(shared_costs="revenue"))
    table = compute_metrics(make_dataset(RESULTS, costs), config, by="channel")
    assert table[table["channel"].isna()]["cost"].iloc[0] == 40.0


def test_partially_known_keys_share_only_within_the_known_channel():
    results = [
        {"channel": "A", "employee": "Aino", "contacts": 1, "conversions": 1, "revenue": 10.0},
        {"channel": "A", "employee": "Mikko", "contacts": 1, "conversions": 1, "revenue": 30.0},
        {"channel": "B", "employee": "Sara", "contacts": 1, "conversions": 1, "revenue": 60.0},
    ]
    costs = [{"channel": "A", "employee": None, "amount": 10.0}]
    config = Config(report=ReportConfig(shared_costs="revenue"))
    table = compute_metrics(make_dataset(results, costs), config, by="employee")
    cost = table.set_index("employee")["cost"]
    assert cost["Aino"] == 2.5 and cost["Mikko"] == 7.5 and cost["Sara"] == 0.0


def test_to_cents_rounds_half_away_from_zero():
    assert to_cents(0.005) == 1
    assert to_cents(-0.005) == -1
    assert to_cents(1.234) == 123
    assert to_cents(10.0) == 1000


def test_largest_remainder_examples():
    assert list(largest_remainder(100, [1, 1, 1])) == [34, 33, 33]
    assert list(largest_remainder(10, [0, 0])) == [5, 5]
    assert list(largest_remainder(-100, [1, 1, 1])) == [-34, -33, -33]
    with pytest.raises(ValueError):
        largest_remainder(10, [])
