"""Summaries of timing samples: median, p99 and spread, with the sample count beside them."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); exact for n == 1."""
    if not sorted_values:
        return math.nan
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return float(sorted_values[low])
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low))


def summarize(samples: Sequence[float], *, scale: float = 1000.0, unit: str = "ms") -> dict[str, Any]:
    """``samples`` in seconds by default, reported in ``unit`` (``scale`` converts)."""
    values = sorted(v * scale for v in samples)
    return {
        "unit": unit,
        "n": len(values),
        "median": quantile(values, 0.5),
        "p99": quantile(values, 0.99),
        "p10": quantile(values, 0.10),
        "p90": quantile(values, 0.90),
        "p25": quantile(values, 0.25),
        "p75": quantile(values, 0.75),
        "mean": statistics.fmean(values) if values else math.nan,
        "min": values[0] if values else math.nan,
        "max": values[-1] if values else math.nan,
    }


def ratio(numerator: dict[str, Any], denominator: dict[str, Any], key: str = "median") -> float:
    bottom = denominator.get(key)
    top = numerator.get(key)
    if not bottom or top is None or math.isnan(bottom) or math.isnan(top):
        return math.nan
    return float(top / bottom)


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def cell(summary: dict[str, Any], digits: int = 1) -> str:
    """``median (p99; p10-p90; n)`` for a Markdown table."""
    return (
        f"{fmt(summary['median'], digits)} (p99 {fmt(summary['p99'], digits)}; "
        f"p10-p90 {fmt(summary['p10'], digits)}-{fmt(summary['p90'], digits)}; n={summary['n']})"
    )
