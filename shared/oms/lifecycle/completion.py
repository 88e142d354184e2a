"""Completion ("订单完成与归档"): the buyer confirms receipt, or the system does after a quiet period."""

from __future__ import annotations

from datetime import timedelta

from oms import clock, events
from oms.config import require, settings
from oms.domain.order_status import Move
from oms.event_catalogue import OrderCompleted
from oms.store import moves
from oms.store.table import Item, Table

require("AUTO_CONFIRM_DAYS", "ARCHIVE_AFTER_DAYS", by=__name__)

AUTO_CONFIRM = "auto_confirm"
ARCHIVE = "archive"


def delivered_fields() -> dict[str, str]:
    now = clock.now()
    return {
        "delivered_at": clock.iso(now),
        "timer_kind": AUTO_CONFIRM,
        "due_at": clock.iso(now + timedelta(days=settings().auto_confirm_days)),
    }


def complete(table: Table, order: Item, *, by: str, how: str) -> Item:
    now = clock.now()
    completed = moves.apply(
        table,
        moves.ORDER,
        order,
        Move.complete.value,
        by=by,
        set_fields={
            "completed_at": clock.iso(now),
            "completed_by": how,
            "timer_kind": ARCHIVE,
            "due_at": clock.iso(now + timedelta(days=settings().archive_after_days)),
        },
        note={"how": how},
    )
    events.publish(
        OrderCompleted(order_id=order["id"], customer_id=order["customer_id"], how=how),
        f"{order['id']}:completed",
    )
    return completed


def has_open_issue(order: Item) -> bool:
    """Auto-confirmation waits while an exception or a return is open on the order."""
    return any(e.get("status") == "open" for e in order.get("exceptions", [])) or bool(
        order.get("open_returns", 0)
    )
