"""What follows a refund the provider refused.

A refund the provider refuses is asked again as a new attempt (its amount was made refundable again when
the failure was recorded), up to ``MAX_ATTEMPTS``; after that staff get a ``refund_failed`` exception with
an owner and a deadline, so no refund is silently dropped.
"""

from __future__ import annotations

from oms import clock, events, ids
from oms.domain.order_exceptions import default_deadline
from oms.event_catalogue import OrderException
from oms.store import order_exceptions, orders, refunds
from oms.store.table import Table
from oms.store.unit_of_work import Cancelled, commit

MAX_ATTEMPTS = 3
ACTOR = "system:refunds"


def retry_or_escalate(table: Table, order_id: str, refund_id: str) -> str:
    """After a recorded failure: a new attempt for the same amount, or an exception for staff."""
    failed = refunds.get(table, order_id, refund_id)
    order = orders.get(table, order_id)
    if failed is None or order is None or failed["status"] != "failed":
        return "nothing"
    attempt = int(failed.get("attempt", 1))
    if attempt < MAX_ATTEMPTS:
        again = refunds.start(
            table,
            order,
            ids.derived_id("ref", refund_id, "retry"),
            int(failed["amount"]),
            str(failed["reason"]),
            ACTOR,
            return_id=failed.get("return_id"),
            attempt=attempt + 1,
        )
        return "retried" if again else "already_retried"
    exception = order_exceptions.new_exception(
        order,
        ids.derived_id("exc", refund_id, "failed"),
        "refund_failed",
        by=ACTOR,
        source="refunds",
        deadline=clock.iso(default_deadline(clock.now())),
        detail={"refund_id": refund_id, "amount": failed["amount"], "attempts": attempt},
    )
    try:
        commit(table, *order_exceptions.open_writes(order, exception))
    except Cancelled:
        return "already_escalated"
    events.publish(OrderException.opened(order, exception), f"{exception['id']}:opened")
    return "escalated"
