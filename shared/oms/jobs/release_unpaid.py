"""``release-unpaid``: orders not paid by their deadline are cancelled and their stock goes back."""

from __future__ import annotations

from oms import clock, events
from oms.domain.order_status import Move, Status
from oms.event_catalogue import OrderCancelled
from oms.store import moves, orders, timers
from oms.store.moves import LostRace
from oms.store.orders import PAYMENT_DUE
from oms.store.table import Table

ACTOR = "system:release-unpaid"


def run(table: Table) -> dict[str, int]:
    released = skipped = 0
    for pk, sk in timers.due(table, PAYMENT_DUE):
        order = table.get(pk, sk)
        # The index is eventually consistent: trust only the order as read now.
        if (
            not order
            or order["status"] != Status.pending_payment
            or order.get("due_at", "") > clock.now_iso()
        ):
            skipped += 1
            continue
        try:
            moves.apply(
                table,
                moves.ORDER,
                order,
                Move.expire.value,
                by=ACTOR,
                set_fields={"cancelled_at": clock.now_iso(), "cancel_reason": "payment_timeout"},
                remove=("timer_kind", "due_at"),
                also=orders.release_all(order),
            )
        except LostRace:
            skipped += 1  # paid or cancelled meanwhile: that move won
            continue
        expired = OrderCancelled(
            order_id=order["id"], customer_id=order["customer_id"], reason="payment_timeout"
        )
        events.publish(expired, f"{order['id']}:cancelled")
        released += 1
    return {"released": released, "skipped": skipped}
