"""``auto-confirm-receipt``: delivered orders with no word from the buyer complete after the quiet period."""

from __future__ import annotations

from oms import clock
from oms.domain.order_status import Status
from oms.lifecycle.completion import AUTO_CONFIRM, complete, has_open_issue
from oms.store import timers
from oms.store.moves import LostRace
from oms.store.table import Table

ACTOR = "system:auto-confirm-receipt"


def run(table: Table) -> dict[str, int]:
    confirmed = skipped = 0
    for pk, sk in timers.due(table, AUTO_CONFIRM):
        order = table.get(pk, sk)
        if not order or order["status"] != Status.delivered or order.get("due_at", "") > clock.now_iso():
            skipped += 1
            continue
        if has_open_issue(order):
            skipped += 1  # an open exception or return keeps the order open; it is re-armed when resolved
            continue
        try:
            complete(table, order, by=ACTOR, how="automatic")
        except LostRace:
            skipped += 1
            continue
        confirmed += 1
    return {"confirmed": confirmed, "skipped": skipped}
