"""The buyer's feedback on a completed order: given once, replaced within the edit window, then final.

Kept with the order (and so in its archive), and counted into the reports per SKU and per carrier: an edit
takes the old rating and tags back out of the counters and adds the new ones, so a report never counts one
buyer's feedback twice.
"""

from __future__ import annotations

from oms import clock, events
from oms.domain.feedback import FeedbackRequest, check_can_give
from oms.event_catalogue import FeedbackGiven
from oms.store import feedback, keys, orders, races
from oms.store.moves import LostRace
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, commit

OUTBOUND_KINDS = ("outbound", "reship")


def give(table: Table, order_id: str, customer_id: str, request: FeedbackRequest) -> Item:
    """Give (or replace) the caller's feedback on their order; the feedback as stored."""

    def attempt() -> tuple[Item, Item, Item | None, list[Item]]:
        order, children = orders.record_for(table, order_id, customer_id)
        given = next((c for c in children if keys.is_feedback(c)), None)
        check_can_give(order, given, clock.now())
        item = feedback.new_feedback(order, request.model_dump(), given)
        try:
            commit(table, *feedback.writes(order, item, given))
        except Cancelled as cancelled:
            if cancelled.failed_on(feedback.FEEDBACK) or cancelled.failed_on("order"):
                raise LostRace(order_id) from cancelled
            raise
        return order, item, given, children

    order, item, given, children = races.retry(attempt, f"order {order_id}")
    carriers = sorted(
        {str(c["carrier"]) for c in children if keys.is_shipment(c) and c.get("kind") in OUTBOUND_KINDS}
    )
    event = FeedbackGiven(
        order_id=order_id,
        customer_id=customer_id,
        rating=item["rating"],
        tags=item["tags"],
        skus=sorted({str(line["sku"]) for line in order["lines"]}),
        carriers=carriers,
        **({"previous_rating": given["rating"], "previous_tags": given["tags"]} if given else {}),
    )
    events.publish(event, f"{order_id}:feedback:{item['version']}")
    return item
