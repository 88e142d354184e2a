"""The carrier report (物流服务商评估): per carrier, how its parcels of a period fared.

Rates divide counts of one cohort, the parcels handed over in the period: ``delivered / shipments`` and so
on, the on-time rate over the delivered parcels that had a promised date. Rates are fractions rounded to
4 places; ``None`` when there is nothing to divide by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from oms.domain.reports import average_hours, rate
from oms.store.carrier_stats import COUNTERS


def _share_of_shipments(counts: Mapping[str, int], counter: str, rate_name: str) -> dict[str, Any]:
    """A counter of the carrier's parcels and its rate over all of them."""
    return {counter: counts[counter], rate_name: rate(counts[counter], counts["shipments"])}


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
                "on_time_rate": rate(c["on_time"], c["delivered_promised"]),
                "average_transit_hours": average_hours(c["transit_seconds"], c["delivered"]),
                **_share_of_shipments(c, "exceptions", "exception_rate"),
                **_share_of_shipments(c, "damaged", "damage_rate"),
                **_share_of_shipments(c, "lost", "loss_rate"),
            }
        )
    return report
