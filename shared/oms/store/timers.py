"""Deadlines without scans: items waiting for one carry ``timer_kind`` and ``due_at`` (sparse GSI)."""

from __future__ import annotations

from collections.abc import Iterator

from oms import clock
from oms.store.table import Table, values

PAGE = 100


def due(table: Table, kind: str, *, limit: int = 1000) -> Iterator[tuple[str, str]]:
    """Keys of items of ``kind`` whose deadline has passed, oldest first; at most ``limit`` per run."""
    start = None
    seen = 0
    while seen < limit:
        items, start = table.query(
            "timer_kind = :kind AND due_at <= :now",
            index="timers",
            expression_values=values(kind=kind, now=clock.now_iso()),
            limit=min(PAGE, limit - seen),
            start_key=start,
        )
        for item in items:
            yield item["pk"], item["sk"]
        seen += len(items)
        if not start:
            return
