"""Cancelling before shipment: stock goes back, and a paid order is refunded.

The move, the released stock and the refund of what was paid are one transaction: a cancellation that
dies half-way cannot leave a cancelled order that kept the money (a retry finds it cancelled and done).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oms import clock, events, ids
from oms.domain import presale
from oms.domain.order_status import Move
from oms.event_catalogue import OrderCancelled
from oms.problems import Conflict
from oms.store import moves, order_edits, orders, refunds
from oms.store.patches import EMPTY, Patch
from oms.store.table import Item, Table
from oms.store.unit_of_work import Write

QUEUE_FIELDS = ("timer_kind", "due_at", "queue", "queue_key")


def refund_id(order_id: str) -> str:
    """The id of the refund a cancellation starts: one per order."""
    return ids.derived_id("ref", order_id, "cancel")


def cancel_by_buyer(table: Table, order: Item, by: str, also: Iterable[Write] = ()) -> Item:
    """The buyer cancels their order. An exchange's replacement is not cancelled on its own (the exchange
    would stand with nothing to send): the buyer cancels the exchange's return, which withdraws it."""
    if order.get("replaces_order_id"):
        raise Conflict(
            "This order sends the goods of an exchange: cancel the exchange's return instead.",
            code="replacement_not_cancellable",
            extra={"return_id": order.get("return_id")},
        )
    return cancel(table, order, by=by, reason="customer_request", also=also)


def cancel(
    table: Table,
    order: Item,
    *,
    by: str,
    reason: str,
    move_kind: Move = Move.cancel,
    also: Iterable[Write] = (),
) -> Item:
    """Cancel (or reject) ``order`` as read, with ``also`` (writes that happen with it or not at all);
    raises LostRace if it moved, InvalidTransition if it cannot."""
    kept = presale.kept_on_cancel(order, reason)  # a presale deposit the terms keep
    refundable = int(order.get("refundable", 0)) - kept
    refund = None
    # An edit waiting for its balance holds units of its own: they go back too.
    patch, writes = EMPTY, [*orders.release_all(order), *order_edits.release_pending(order), *also]
    note: dict[str, Any] = {"reason": reason}
    if kept:
        patch = Patch(
            sets=("refundable = refundable - :k_kept", "deposit_kept = :k_kept"),
            conditions=("refundable = :k_kept",),
            values={"k_kept": kept},
        )
        note["deposit_kept"] = kept
    if refundable > 0:
        refund = refunds.refund_item(order, refund_id(order["id"]), refundable, reason)
        refund["attempt"] = 1
        # Conditioned like refunds.start: refunded + amount <= captured, on the order as read.
        patch = Patch(
            sets=("refunded = refunded + :rf_amount", "refundable = refundable - :rf_amount"),
            conditions=("refundable >= :rf_amount",),
            values={"rf_amount": refundable},
        )
        writes.append(refunds.put_new(refund))
        note.update(refund_id=refund["id"], refund_amount=refundable)
    cancelled = moves.apply(
        table,
        moves.ORDER,
        order,
        move_kind.value,
        by=by,
        set_fields={"cancelled_at": clock.now_iso(), "cancel_reason": reason},
        remove=(*QUEUE_FIELDS, "pending_edit"),
        also=writes,
        note=note,
        patch=patch,
    )
    events.publish(
        OrderCancelled(order_id=order["id"], customer_id=order["customer_id"], reason=reason),
        f"{order['id']}:cancelled",
    )
    if refund is not None:
        refunds.announce(refund)
        cancelled = {**cancelled, "refunded": cancelled.get("refunded", 0) + refundable, "refundable": 0}
    return cancelled
