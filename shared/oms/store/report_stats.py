"""Per-day counters behind the order and return reports: added to once per event, read without a scan.

Items: ``pk=REPORT_STATS#yyyy-mm``, ``sk=<dimension>#yyyy-mm-dd#<key>`` (``all#2026-11-25#-``,
``sku#2026-11-25#TEA-250``, …), so a report reads, per month of its period and per dimension it shows,
one range of one partition: a year is at most 13 partitions however many orders there were.

An event is counted by one ``TransactWriteItems``: its counters' ``ADD``s and a marker keyed by the
event (``attribute_not_exists``) in the idempotency table, where it expires after ``MARKER_DAYS`` (longer
than a message can live in the queue and its dead-letter queue together). A redelivered event fails the
marker's condition and adds nothing.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from oms.config import require, settings
from oms.domain import reports
from oms.store import keys
from oms.store import returns as returns_store
from oms.store.table import Item, Table, values
from oms.store.unit_of_work import Cancelled, UnitOfWork, Write, put, update

require("IDEMPOTENCY_TABLE_NAME", by=__name__)

MARKER_DAYS = 60


MARKER = "marker"


def add(dimension: str, day: str, key: str, counters: dict[str, int]) -> Write:
    """ADD ``counters`` to one day's item of ``dimension``/``key`` (no condition: a sum)."""
    if not counters:
        raise ValueError("nothing to add")
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    return update(
        f"stats:{dimension}#{key}",
        keys.report_stats(dimension, day, key),
        "SET #dim = :dim, #day = :day, #key = :key ADD "
        + ", ".join(f"#c{i} :c{i}" for i in range(len(counters))),
        names={**names, "#dim": "dimension", "#day": "day", "#key": "key"},
        named_values={
            "dim": dimension,
            "day": day,
            "key": key,
            **{f"c{i}": n for i, n in enumerate(counters.values())},
        },
    )


def marker(detail_type: str, event_id: str) -> Write:
    """Put once, in the idempotency table: the event has been counted."""
    item = {
        "id": f"report-stats#{detail_type}#{event_id}",
        "expiration": int(time.time()) + MARKER_DAYS * 86400,
    }
    return put(
        MARKER, item, condition="attribute_not_exists(id)", table_name=settings().idempotency_table_name
    )


def _subjects(table: Table, detail_type: str, detail: dict[str, Any]) -> tuple[Item | None, Item | None]:
    """The order and the return the event is about, as stored now (consistent reads)."""
    order = table.get(*keys.order(detail["order_id"])) if detail.get("order_id") else None
    wants_return = detail_type.startswith("Return") or (
        detail_type == "RefundIssued" and detail.get("return_id")
    )
    item = returns_store.get(table, detail["return_id"]) if wants_return and detail.get("return_id") else None
    return order, item


def count(table: Table, detail_type: str, detail: dict[str, Any]) -> str:
    """Add what the event counts for to its day's counters, once however often it is delivered.

    Returns ``counted``, ``repeat`` (counted before) or ``ignored`` (nothing to count).
    """
    order, item = _subjects(table, detail_type, detail)
    counts = reports.counts_for(detail_type, detail, order, item)
    if counts is None:
        return "ignored"
    work = UnitOfWork(table).add(marker(detail_type, str(detail["event_id"])))
    work.extend(add(dim, counts.day, key, counters) for dim, key, counters in counts.items())
    try:
        work.commit()
    except Cancelled as cancelled:
        if cancelled.failed_on(MARKER):
            return "repeat"
        raise
    return "counted"


def read(table: Table, first: date, last: date, dimensions: tuple[str, ...]) -> list[Item]:
    """The counter items of ``dimensions`` from ``first`` to ``last`` (inclusive)."""
    rows: list[Item] = []
    for month in reports.months(first, last):
        for dimension in dimensions:
            start = None
            while True:
                # Keys of a day are "<dim>#<day>#…"; "$" sorts right after "#", so it closes the last day.
                items, start = table.query(
                    "pk = :pk AND sk BETWEEN :low AND :high",
                    expression_values=values(
                        pk=f"{keys.REPORT_STATS_PREFIX}{month}",
                        low=f"{dimension}#{first.isoformat()}",
                        high=f"{dimension}#{last.isoformat()}$",
                    ),
                    start_key=start,
                )
                rows += items
                if not start:
                    break
    return rows
