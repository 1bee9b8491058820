"""Hypothesis invariants of the engine: parts sum to totals, ratios of sums, order-free."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from roi_reports import compute_metrics
from roi_reports.allocation import largest_remainder
from roi_reports.config import Config, ReportConfig
from tests.helpers import make_dataset

CHANNELS = st.sampled_from(["Trade fairs", "LinkedIn", "Google Ads"])
EMPLOYEES = st.sampled_from(["Aino", "Mikko", "Sara"])
DAYS = st.dates(
    min_value=pd.Timestamp("2026-01-01").date(), max_value=pd.Timestamp("2026-06-30").date()
)
CENTS = st.integers(min_value=0, max_value=5_000_000).map(lambda c: c / 100)

result_rows = st.lists(
    st.fixed_dictionaries(
        {
            "date": DAYS,
            "channel": CHANNELS,
            "employee": EMPLOYEES,
            "contacts": st.integers(0, 500),
            "conversions": st.integers(0, 50),
            "revenue": CENTS,
        }
    ).map(lambda r: r | {"conversions": min(r["conversions"], r["contacts"])}),
    min_size=1,
    max_size=30,
)
cost_rows = st.lists(
    st.fixed_dictionaries(
        {
            "date": DAYS,
            "channel": st.one_of(st.none(), CHANNELS),
            "employee": st.one_of(st.none(), EMPLOYEES),
            "category": st.sampled_from(["ads", "travel", "software"]),
            "amount": CENTS,
        }
    ),
    min_size=1,
    max_size=30,
)
GROUPINGS = st.sampled_from(
    [
        ("channel",),
        ("employee",),
        ("month",),
        ("quarter",),
        ("channel", "month"),
        ("employee", "channel"),
        ("category",),
        ("year",),
    ]
)
SUMMED = ["contacts", "conversions", "revenue", "cost", "investment"]


def cents_equal(a: float, b: float) -> bool:
    return round(a * 100) == round(b * 100)


@given(
    result_rows,
    cost_rows,
    GROUPINGS,
    st.sampled_from(["none", "revenue", "cost", "contacts", "even"]),
)
def test_group_sums_add_up_to_the_total(results, costs, by, shared):
    config = Config(report=ReportConfig(shared_costs=shared))
    data = make_dataset(results, costs)
    total = compute_metrics(data, config).iloc[0]
    groups = compute_metrics(data, config, by=by)
    for column in SUMMED:
        assert math.isclose(groups[column].sum(), total[column], rel_tol=1e-9, abs_tol=0.005)


@given(result_rows, cost_rows, GROUPINGS)
def test_ratios_are_ratios_of_sums(results, costs, by):
    data = make_dataset(results, costs)
    groups = compute_metrics(data, by=by)
    for ratio, (num, den) in {
        "roas": ("revenue", "cost"),
        "cpa": ("cost", "conversions"),
        "conversion_rate_pct": ("conversions", "contacts"),
    }.items():
        scale = 100 if ratio.endswith("_pct") else 1
        expected = (groups[num] / groups[den].where(groups[den] != 0)) * scale
        pd.testing.assert_series_equal(groups[ratio], expected, check_names=False, rtol=1e-12)


@given(
    result_rows,
    cost_rows,
    GROUPINGS,
    st.randoms(use_true_random=False),
    st.sampled_from(["none", "revenue", "even"]),
)
def test_shuffling_rows_changes_nothing(results, costs, by, rng, shared):
    config = Config(report=ReportConfig(shared_costs=shared))
    before = compute_metrics(make_dataset(results, costs), config, by=by)
    rng.shuffle(results)
    rng.shuffle(costs)
    after = compute_metrics(make_dataset(results, costs), config, by=by)
    pd.testing.assert_frame_equal(before, after, rtol=1e-12)


@given(
    st.integers(-(10**9), 10**9),
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=12),
)
def test_largest_remainder_sums_exactly(total, weights):
    parts = largest_remainder(total, np.array(weights))
    assert int(parts.sum()) == total
    if total >= 0:
        assert (parts >= 0).all()
    # no part is more than one cent away from its exact share
    w = np.array(weights) if sum(weights) > 0 else np.ones(len(weights))
    exact = total * w / w.sum()
    assert (np.abs(parts - exact) < 1 + 1e-6).all()


@given(result_rows, cost_rows, st.sampled_from(["revenue", "cost", "contacts", "even"]))
def test_allocation_keeps_every_cent(results, costs, mode):
    config = Config(report=ReportConfig(shared_costs=mode))
    data = make_dataset(results, costs)
    by_channel = compute_metrics(data, config, by="channel")
    assert cents_equal(by_channel["cost"].sum(), sum(c["amount"] for c in costs))
    # every allocated amount is a whole number of cents
    allocated = by_channel["cost"] * 100
    assert np.allclose(allocated, allocated.round(), atol=1e-6)
