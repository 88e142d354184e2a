"""Cancelling before shipment: stock goes back, and a paid order is refunded."""

from __future__ import annotations

from oms import clock, events, ids
from oms.domain.order_status import Move
from oms.store import refunds
from oms.store.table import Item, Table
from oms.store.transitions import move, release_all_ops

QUEUE_FIELDS = ("timer_kind", "due_at", "queue", "queue_key")


def cancel(table: Table, order: Item, *, by: str, reason: str, move_kind: Move = Move.cancel) -> Item:
    """Cancel (or reject) ``order`` as read; raises LostRace if it moved, InvalidTransition if it cannot."""
    cancelled = move(
        table,
        order,
        move_kind,
        by=by,
        set_fields={"cancelled_at": clock.now_iso(), "cancel_reason": reason},
        remove=QUEUE_FIELDS,
        extra_ops=release_all_ops(order),
        note={"reason": reason},
    )
    events.publish(
        "OrderCancelled",
        f"{order['id']}:cancelled",
        {"order_id": order["id"], "customer_id": order["customer_id"], "reason": reason},
    )
    refundable = cancelled.get("refundable", 0)
    if refundable > 0 and refunds.start(
        table, cancelled, ids.derived_id("ref", order["id"], "cancel"), refundable, reason, by
    ):
        cancelled = {**cancelled, "refunded": cancelled.get("refunded", 0) + refundable, "refundable": 0}
    return cancelled
