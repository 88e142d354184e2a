"""Per-carrier, per-day counters behind the carrier report: written with the events, read without a scan.

Each shipment counts in the day its carrier took it (``shipped_at``, UTC): the day's ``shipments`` rise when
it ships (in the shipping transaction), and ``delivered``, ``on_time``, ``transit_seconds``, ``exceptions``,
``damaged`` and ``lost`` rise once per shipment when tracking (or the stale-shipment job) learns of them, in
the transaction that records it on the shipment. So every rate of the report divides counts of one cohort
(the parcels handed over in the period), and a report over a year reads at most 13 partitions (one per
month: ``pk=CARRIER_STATS#yyyy-mm``, ``sk=yyyy-mm-dd#carrier``) however many orders there were.
"""

from __future__ import annotations

from datetime import date

from oms.domain.reports import months
from oms.store import keys
from oms.store.table import Item, Table, values
from oms.store.unit_of_work import Write, update

COUNTERS = (
    "shipments",
    "delivered",
    "delivered_promised",
    "on_time",
    "transit_seconds",
    "exceptions",
    "damaged",
    "lost",
)


CARRIER_STATS = "carrier_stats"


def add(carrier: str, shipped_at: str, **counts: int) -> Write:
    """Add ``counts`` to the carrier's counters of the day ``shipped_at`` falls on (no condition: a sum)."""
    unknown = set(counts) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters {sorted(unknown)}")
    day = shipped_at[:10]
    added = {name: amount for name, amount in counts.items() if amount}
    if not added:
        raise ValueError("nothing to add")
    names = {f"#c{i}": name for i, name in enumerate(added)}
    expression = "SET #carrier = :carrier, #day = :day ADD " + ", ".join(
        f"#c{i} :c{i}" for i in range(len(added))
    )
    return update(
        CARRIER_STATS,
        keys.carrier_stats(carrier, day),
        expression,
        names={**names, "#day": "day", "#carrier": "carrier"},
        named_values={"carrier": carrier, "day": day, **{f"c{i}": n for i, n in enumerate(added.values())}},
    )


def read(table: Table, first: date, last: date) -> list[Item]:
    """Every carrier's day counters from ``first`` to ``last`` (inclusive)."""
    rows: list[Item] = []
    for month in months(first, last):
        start = None
        while True:
            items, start = table.query(
                "pk = :pk AND sk BETWEEN :low AND :high",
                expression_values=values(
                    pk=keys.carrier_stats_month(month), low=first.isoformat(), high=f"{last.isoformat()}#~"
                ),
                start_key=start,
            )
            rows += items
            if not start:
                break
    return rows
