"""The arithmetic every report shares: exact shares rounded half up, nearest-rank percentiles and
elapsed hours, so SQLite and PostgreSQL print the same figures.

Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the one at rank
⌈p·n/100⌉ (1-based), always a value that was observed; p50 of [1, 2, 3, 4] is 2, p90 is 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)

Value = TypeVar("Value", timedelta, int, float)


def one_decimal(numerator: int, denominator: int, scale: int = 1) -> float | None:
    """`scale * numerator / denominator` rounded half up to one decimal; None for 0 / 0."""
    if not denominator:
        return None
    exact = Decimal(scale * numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def plural(count: int, noun: str) -> str:
    """«1 day», «4 days»: report headlines are English."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def percentile(values: Sequence[Value], percent: int) -> Value | None:
    """The nearest-rank percentile: the value at rank ⌈percent·n/100⌉ of the sorted values."""
    if not values:
        return None
    rank = -(-percent * len(values) // 100)  # ceil in integers: 0.9 * 10 is not exactly 9 in floats
    return sorted(values)[max(rank, 1) - 1]


def hours(elapsed: timedelta | None) -> float | None:
    """Elapsed time in hours, rounded half up to one decimal."""
    if elapsed is None:
        return None
    return one_decimal(elapsed // MICROSECOND, HOUR // MICROSECOND)
