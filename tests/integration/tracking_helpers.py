"""Builders for the tracking and exception tests: a paid order, a shipment, a carrier's event."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from oms import clock, ids
from oms.domain.tracking import CarrierStatus
from oms.lifecycle import payments, shipping
from oms.lifecycle.tracking import CarrierEvent
from oms.placing import reserve, validate
from oms.store import orders
from oms.store.table import Item, Table

from tests.integration.helpers import on_order, order_request, step_input


def paid_order(table: Table, *lines: tuple[str, int, int], customer: str = "cus_track") -> Item:
    checked = validate(step_input(order_request(*lines), customer), table)
    assert checked["ok"], checked
    order = reserve(checked, table)["order"]
    event = payments.PaymentEvent(
        event_id=ids.new_id("evt"),
        type="payment.succeeded",
        order_id=order["id"],
        payment_id=f"pay_{uuid.uuid4().hex[:8]}",
        amount=order["totals"]["total"],
        currency=order["totals"]["currency"],
        occurred_at=clock.now(),
    )
    assert payments.handle(table, event) == "paid"
    return fresh(table, order["id"])


def fresh(table: Table, order_id: str) -> Item:
    order = orders.get(table, order_id)
    assert order is not None
    return order


def tracking_number() -> str:
    return f"SF{uuid.uuid4().hex[:12].upper()}"


def ship(
    table: Table,
    order_id: str,
    number: str,
    items: list[dict[str, Any]] | None = None,
    carrier: str = "sf",
) -> Item:
    request = shipping.ShipmentRequest.model_validate(
        {"carrier": carrier, "tracking_number": number, "items": items}
    )
    _, shipment = on_order(table, order_id, lambda order: shipping.ship(table, order, request, "staff_1"))
    return shipment


def event(
    number: str, status: str, at: datetime, event_id: str | None = None, location: str | None = None
) -> CarrierEvent:
    return CarrierEvent(
        event_id=event_id or f"ev_{uuid.uuid4().hex[:10]}",
        tracking_number=number,
        status=CarrierStatus(status),
        occurred_at=at,
        location=location,
    )


def hours_ago(hours: float) -> datetime:
    return clock.now() - timedelta(hours=hours)
