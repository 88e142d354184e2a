"""The parcel back: the buyer hands it to a carrier, the carrier delivers it to the returns centre."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from oms import clock, ids
from oms.config import settings
from oms.event_catalogue import ReturnReceived
from oms.lifecycle.returns import INSPECT_QUEUE, announce
from oms.problems import Conflict
from oms.store import moves, orders, shipments
from oms.store import returns as store
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled

if TYPE_CHECKING:
    from oms.api.return_requests import ReturnParcel


def record_parcel(table: Table, item: Item, body: ReturnParcel, by: str) -> Item:
    order = orders.get_for(table, item["order_id"], None)
    parcel = shipments.new_shipment(
        order,
        ids.derived_id("shp", item["id"], body.carrier, body.tracking_number),
        body.carrier,
        body.tracking_number,
        [{"sku": i["sku"], "quantity": i["quantity"]} for i in item["items"]],
        kind=shipments.RETURN_KIND,
    )
    parcel["return_id"] = item["id"]
    sent_at = clock.now_iso()
    sent = {"carrier": body.carrier, "tracking_number": body.tracking_number, "shipment_id": parcel["id"]}
    fields = {
        "parcel": {**sent, "at": sent_at},
        "queue": INSPECT_QUEUE,
        "queue_key": f"{sent_at}#{item['id']}",
    }
    try:
        return moves.apply(
            table,
            moves.RETURN,
            item,
            "ship",
            by=by,
            set_fields=fields,
            remove=("timer_kind", "due_at"),
            also=shipments.create(parcel),
        )
    except Cancelled as cancelled:
        # Only this order's own returns can hold the number (the index is filed per order): the answer
        # says nothing about anyone else's parcels.
        raise Conflict(
            f"Tracking number {body.tracking_number} is already used for another return of this order.",
            code="tracking_number_in_use",
        ) from cancelled


def receive(table: Table, return_id: str) -> Item | None:
    """The carrier delivered the parcel back (called from tracking)."""
    item = store.get(table, return_id)
    if item is None or item["status"] != "in_transit":
        return None
    now = clock.now()
    due = now + timedelta(hours=settings().return_inspection_sla_hours)
    fields = {"received_at": clock.iso(now), "inspection_due_at": clock.iso(due)}
    received = moves.apply(table, moves.RETURN, item, "receive", by="carrier", set_fields=fields)
    announce(ReturnReceived, received)
    return received
