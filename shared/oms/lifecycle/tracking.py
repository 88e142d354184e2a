"""The track-shipment step: a carrier's event, applied once, in the order it happened.

The webhook only checks the signature and the shape, then queues the event
(:func:`oms.lifecycle.tracking_queue.enqueue`); the track-shipment function applies it here. One transaction records the webhook receipt (a repeat applies
nothing), rewrites the shipment's history sorted by ``occurred_at`` (conditioned on the shipment's
version), moves its status only forward (rules: :mod:`oms.domain.tracking`), re-arms the stale timer, adds
to the carrier's counters, and, when it follows, opens an exception on the order or marks it delivered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from oms import clock, events, ids
from oms.domain import tracking
from oms.domain.carriers import CarrierCode
from oms.domain.order_exceptions import OPEN, default_deadline
from oms.domain.order_status import Move, Status
from oms.event_catalogue import OrderDelivered, OrderException
from oms.lifecycle import exchanges, instant_refund, refund_only, return_parcel
from oms.lifecycle.completion import delivered_fields
from oms.lifecycle.shipping import TRACKING_PATTERN
from oms.observability import logger
from oms.store import carrier_stats, keys, moves, order_exceptions, orders, races, receipts, shipments
from oms.store.moves import LostRace
from oms.store.patches import EMPTY
from oms.store.table import Item, Table, compact
from oms.store.unit_of_work import Cancelled, Write, commit

OUTBOUND_KINDS = ("outbound", "reship")  # parcels to the buyer; a return's parcel never delivers the order
RETURN_KIND = shipments.RETURN_KIND


class CarrierEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=128)
    tracking_number: str = Field(pattern=TRACKING_PATTERN)
    status: tracking.CarrierStatus
    occurred_at: datetime
    location: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=500)

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TrackingEvent(CarrierEvent):
    """A carrier event as an aggregator reports it: ``carrier_status`` is the status as the carrier wrote
    it, and ``status`` is None when it is none of ours (kept on the history, moving nothing)."""

    status: tracking.CarrierStatus | None = None
    carrier_status: str | None = Field(None, max_length=100)


class TrackingMessage(BaseModel):
    """What the webhook puts on the tracking queue."""

    model_config = ConfigDict(extra="forbid")

    carrier: CarrierCode
    event: TrackingEvent


def receipt_source(carrier: str) -> str:
    return f"carriers#{carrier}"


def already_applied(table: Table, carrier: str, event_id: str) -> bool:
    return receipts.seen(table, receipt_source(carrier), event_id)


def apply(table: Table, carrier: str, event: CarrierEvent | TrackingEvent) -> str:
    """Apply one carrier event; the answer says what happened (``duplicate`` for a repeat)."""
    receipt = receipts.record(receipt_source(carrier), event.event_id)

    def attempt() -> str:
        index = shipments.parcel_index(table, carrier, event.tracking_number)
        if index is None:
            return _ignore(table, receipt, carrier, event)
        order, children = orders.record_for(table, index["order_id"], None)
        shipment_sk = keys.shipment(index["order_id"], index["shipment_id"])[1]
        shipment = next((c for c in children if c["sk"] == shipment_sk), None)
        if shipment is None:
            return _ignore(table, receipt, carrier, event)
        try:
            outcome = _apply(table, order, children, shipment, receipt, carrier, event)
        except Cancelled as cancelled:
            if not cancelled.failed_on(receipts.RECEIPT):
                # The shipment (another event of it) or the order changed meanwhile: decide again.
                raise LostRace(shipment["id"]) from cancelled
            outcome = "duplicate"
        if shipment.get("kind") == RETURN_KIND:
            _hand_over_return(table, index["order_id"], index["shipment_id"])
        elif event.status in tracking.INTERCEPTION_ENDS:
            # Read again there: the parcel may have been marked for interception after this event's read.
            refund_only.on_parcel_news(table, index["order_id"], index["shipment_id"])
        return outcome

    return races.retry(attempt, f"tracking event {event.event_id}")


def _hand_over_return(table: Table, order_id: str, shipment_id: str) -> None:
    """A buyer's return parcel scanned by its carrier: the instant refund (or an exchange's replacement) is
    decided at the first scan, and the parcel delivered back moves its return on (again on a repeat: all
    are idempotent)."""
    shipment = table.get(*keys.shipment(order_id, shipment_id))
    if shipment is None or not shipment.get("return_id"):
        return
    in_hand = shipment["status"] != tracking.CarrierStatus.info_received  # not just a label
    # An exchange's replacement ships at the first scan; a return may be refunded then.
    if in_hand and not exchanges.on_first_scan(table, shipment["return_id"]):
        instant_refund.on_first_scan(table, shipment["return_id"])
    if shipment["status"] == tracking.CarrierStatus.delivered:
        return_parcel.receive(table, shipment["return_id"])


def _ignore(table: Table, receipt: Write, carrier: str, event: CarrierEvent) -> str:
    try:
        commit(table, receipt)
    except Cancelled:
        return "duplicate"
    logger.info(
        "tracking number not ours; event ignored",
        extra={"carrier": carrier, "tracking_number": event.tracking_number, "event_id": event.event_id},
    )
    return "unknown_tracking_number"


def _history_entry(event: CarrierEvent) -> dict[str, Any]:
    return compact(
        {
            "event_id": event.event_id,
            "status": event.status.value if event.status else tracking.UNMAPPED,
            "carrier_status": getattr(event, "carrier_status", None),
            "occurred_at": clock.iso(event.occurred_at),
            "location": event.location,
            "description": event.description,
            "received_at": clock.now_iso(),
        }
    )


def _delivered_at(history: list[dict[str, Any]]) -> str:
    return min(e["occurred_at"] for e in history if e["status"] == tracking.CarrierStatus.delivered)


def _seconds_between(start: str, end: str) -> int:
    return max(0, int((clock.parse(end) - clock.parse(start)).total_seconds()))


def _carrier_exception(
    order: Item, shipment: Item, carrier: str, event: CarrierEvent, kind: str
) -> Item | None:
    """A new exception for this parcel, unless one of the same kind is still open for it."""
    for entry in order.get("exceptions", []):
        if (
            entry.get("status") == OPEN
            and entry.get("kind") == kind
            and entry.get("shipment_id") == shipment["id"]
        ):
            return None
    return order_exceptions.new_exception(
        order,
        ids.derived_id("exc", order["id"], shipment["id"], event.event_id),
        kind,
        by=f"carrier:{carrier}",
        source="carrier",
        deadline=clock.iso(default_deadline(clock.now())),
        shipment_id=shipment["id"],
        detail=compact(
            {
                "carrier": carrier,
                "tracking_number": event.tracking_number,
                "carrier_status": event.status.value if event.status else None,
                "occurred_at": clock.iso(event.occurred_at),
                "location": event.location,
                "description": event.description,
            }
        ),
    )


def _shipment_change(
    shipment: Item, history: list[dict[str, Any]], event: CarrierEvent, exception_kind: str | None
) -> tuple[dict[str, Any], tuple[str, ...], dict[str, int]]:
    """What the event changes on the shipment (fields, fields removed) and adds to the carrier's counters:
    each outcome is counted once per shipment (``reported``)."""
    after = tracking.current_status(history)
    fields: dict[str, Any] = {"history": history, "status": after, "last_news_at": clock.now_iso()}
    remove: tuple[str, ...] = ()
    if tracking.is_terminal(after):
        remove = ("timer_kind", "due_at")
    else:
        fields.update(shipments.stale_timer_fields())
    reported = set(shipment.get("reported", []))
    counts: dict[str, int] = {}
    if after == tracking.CarrierStatus.delivered and "delivered" not in reported:
        delivered_at = _delivered_at(history)
        fields["delivered_at"] = delivered_at
        counts.update(delivered=1, transit_seconds=_seconds_between(shipment["shipped_at"], delivered_at))
        if shipment.get("promised_by") and shipment.get("kind", "outbound") == "outbound":
            # Only a first dispatch was promised a date; a replacement or a return was not.
            counts.update(delivered_promised=1, on_time=int(delivered_at <= shipment["promised_by"]))
        reported.add("delivered")
    if exception_kind:
        for counter, flag in (("exceptions", "exception"), ("damaged", "damaged"), ("lost", "lost")):
            if flag not in reported and (flag == "exception" or event.status == flag):
                counts[counter] = 1
                reported.add(flag)
    if reported != set(shipment.get("reported", [])):
        fields["reported"] = sorted(reported)
    return fields, remove, counts


def _delivers_order(order: Item, children: list[Item], shipment: Item, before: str, after: str) -> bool:
    """This parcel's delivery is the order's: it was shipped whole and every outbound parcel has arrived."""
    statuses = [
        after if c["sk"] == shipment["sk"] else c["status"]
        for c in children
        if keys.is_shipment(c) and c.get("kind", "outbound") in OUTBOUND_KINDS
    ]
    return (
        after == tracking.CarrierStatus.delivered
        and before != tracking.CarrierStatus.delivered
        and order["status"] == Status.shipped
        and tracking.order_delivered(statuses)
    )


def _apply(
    table: Table,
    order: Item,
    children: list[Item],
    shipment: Item,
    receipt: Write,
    carrier: str,
    event: CarrierEvent,
) -> str:
    history = tracking.ordered([*shipment.get("history", []), _history_entry(event)])
    before, after = shipment["status"], tracking.current_status(history)
    kind = (
        tracking.exception_kind(event.status, history, shipment.get("intercepted_for"))
        if event.status
        else None
    )
    fields, remove, counts = _shipment_change(shipment, history, event, kind)
    exception = _carrier_exception(order, shipment, carrier, event, kind) if kind else None
    writes = [receipt, shipments.update(shipment, fields, remove=remove)]
    if counts:
        writes.append(carrier_stats.add(carrier, shipment["shipped_at"], **counts))
    if exception:
        writes.append(order_exceptions.put_new(exception))

    if _delivers_order(order, children, shipment, before, after):
        moves.apply(
            table,
            moves.ORDER,
            order,
            Move.deliver.value,
            by=f"carrier:{carrier}",
            set_fields=delivered_fields(),
            note={"shipment_id": shipment["id"]},
            also=writes,
        )
        delivered = OrderDelivered(
            order_id=order["id"], customer_id=order["customer_id"], shipment_id=shipment["id"]
        )
        events.publish(delivered, f"{order['id']}:delivered")
        outcome = "order_delivered"
    elif exception or (tracking.is_terminal(after) and not tracking.is_terminal(before)):
        # A parcel reaching its end bumps the order's version too: two parcels of one order settling at
        # once then cannot both conclude "another is still on its way" (write skew).
        patch = order_exceptions.append_patch(exception) if exception else EMPTY
        entry = order_exceptions.opened_entry(exception) if exception else None
        commit(table, moves.edit(moves.ORDER, order, patch, entry), *writes)
        outcome = "exception_opened" if exception else "updated"
    else:
        commit(table, *writes)
        outcome = "updated"
    if exception:
        _announce(order, shipment, exception)
    return outcome


def _announce(order: Item, shipment: Item, exception: Item) -> None:
    events.publish(OrderException.opened(order, exception, shipment), f"{exception['id']}:opened")
