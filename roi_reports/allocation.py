"""Shared-cost allocation in cents with the largest-remainder method (SPEC §4).

Parts always sum exactly to the shared amount (in cents): each share gets the floor of
its exact portion, and the cents left over go to the largest remainders, ties broken by
the order of the candidates (which callers sort, so results are deterministic).
"""

from __future__ import annotations

import numpy as np


def to_cents(amount: float) -> int:
    """Round half away from zero, as accountants do (not banker's rounding)."""
    cents = abs(amount) * 100
    rounded = int(np.floor(cents + 0.5 + 1e-9))
    return rounded if amount >= 0 else -rounded


def largest_remainder(total_cents: int, weights: np.ndarray) -> np.ndarray:
    """Split `total_cents` into integer parts proportional to `weights` (all ≥ 0).

    Zero total weight splits evenly. The parts sum to `total_cents` exactly.
    """
    weights = np.asarray(weights, dtype="float64")
    count = len(weights)
    if count == 0:
        raise ValueError("cannot allocate among no candidates")
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError("allocation weights must be finite and non-negative")
    if weights.sum() <= 0:
        weights = np.ones(count)
    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    exact = magnitude * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    leftover = magnitude - int(parts.sum())
    # stable sort on descending remainder: equal remainders keep candidate order
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[:leftover]] += 1
    return sign * parts
