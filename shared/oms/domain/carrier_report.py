"""The carrier report (物流服务商评估): per carrier, how its parcels of a period fared.

Rates divide counts of one cohort, the parcels handed over in the period: ``delivered / shipments`` and so
on, the on-time rate over the delivered parcels that had a promised date. Rates are fractions rounded to
4 places; ``None`` when there is nothing to divide by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from oms.store.carrier_stats import COUNTERS


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def summarise(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = totals.setdefault(str(row["carrier"]), dict.fromkeys(COUNTERS, 0))
        for name in COUNTERS:
            counts[name] += int(row.get(name, 0))
    report = []
    for carrier in sorted(totals):
        c = totals[carrier]
        report.append(
            {
                "carrier": carrier,
                "shipments": c["shipments"],
                "delivered": c["delivered"],
                "delivered_on_time": c["on_time"],
                "on_time_rate": _rate(c["on_time"], c["delivered_promised"]),
                "average_transit_hours": round(c["transit_seconds"] / c["delivered"] / 3600, 1)
                if c["delivered"]
                else None,
                "exceptions": c["exceptions"],
                "exception_rate": _rate(c["exceptions"], c["shipments"]),
                "damaged": c["damaged"],
                "damage_rate": _rate(c["damaged"], c["shipments"]),
                "lost": c["lost"],
                "loss_rate": _rate(c["lost"], c["shipments"]),
            }
        )
    return report
