"""``stale-shipments``: parcels the carrier has said nothing about for too long get a ``delayed`` exception.

Each shipment's stale timer (``timer_kind = stale_shipment``, sparse ``timers`` index) is re-armed by every
carrier event. When it passes, one transaction takes the timer off the shipment (conditioned on the
shipment's version, so the exception is opened once, and a carrier event racing it wins or loses whole),
opens the exception on the order and counts it for the carrier; the buyer is told.
"""

from __future__ import annotations

from oms import clock, events, ids
from oms.domain import tracking
from oms.domain.order_exceptions import OPEN, ExceptionKind, default_deadline
from oms.event_catalogue import OrderException
from oms.store import carrier_stats, order_exceptions, orders, shipments, timers
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, Write, commit

ACTOR = "system:stale-shipments"
TIMER_FIELDS = ("timer_kind", "due_at")


def run(table: Table) -> dict[str, int]:
    flagged = skipped = 0
    for pk, sk in timers.due(table, shipments.STALE):
        try:
            done = _flag(table, pk, sk)
        except Cancelled:
            done = False  # the shipment or its order changed meanwhile: the next run decides again
        flagged += done
        skipped += not done
    return {"flagged": flagged, "skipped": skipped}


def _open_delayed(order: Item, shipment_id: str) -> bool:
    return any(
        e.get("status") == OPEN
        and e.get("kind") == ExceptionKind.delayed
        and e.get("shipment_id") == shipment_id
        for e in order.get("exceptions", [])
    )


def _flag(table: Table, pk: str, sk: str) -> bool:
    shipment = table.get(pk, sk)
    now = clock.now_iso()
    # The index is eventually consistent: trust only the shipment as read now.
    if not shipment or shipment.get("timer_kind") != shipments.STALE or shipment.get("due_at", "") > now:
        return False
    if tracking.is_terminal(shipment["status"]):
        commit(table, shipments.update(shipment, {}, remove=TIMER_FIELDS))
        return False
    order = orders.get(table, shipment["order_id"])
    if order is None:
        return False
    reported = set(shipment.get("reported", []))
    fields: dict[str, object] = {"stalled_at": now}
    counted: list[Write] = []
    if "exception" not in reported:
        fields["reported"] = sorted(reported | {"exception"})
        counted.append(carrier_stats.add(shipment["carrier"], shipment["shipped_at"], exceptions=1))
    writes = [shipments.update(shipment, fields, remove=TIMER_FIELDS), *counted]
    if _open_delayed(order, shipment["id"]):
        commit(table, *writes)  # a person already has it: just stop the timer until the carrier speaks again
        return False
    exception = order_exceptions.new_exception(
        order,
        ids.derived_id("exc", order["id"], shipment["id"], "stale", shipment["due_at"]),
        ExceptionKind.delayed,
        by=ACTOR,
        source="system",
        deadline=clock.iso(default_deadline(clock.now())),
        shipment_id=shipment["id"],
        detail={
            "carrier": shipment["carrier"],
            "tracking_number": shipment["tracking_number"],
            "last_news_at": shipment.get("last_news_at", shipment["shipped_at"]),
            "reason": "no carrier news",
        },
    )
    commit(table, *order_exceptions.open_writes(order, exception), *writes)
    events.publish(OrderException.opened(order, exception, shipment), f"{exception['id']}:opened")
    return True
