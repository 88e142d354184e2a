"""Shipments of an order and the tracking-number index carriers' events are matched by."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from oms import clock
from oms.config import settings
from oms.store import keys
from oms.store.table import Item, Table, serialize, values

STALE = "stale_shipment"


def shipment_key(order_id: str, shipment_id: str) -> tuple[str, str]:
    return keys.order(order_id)[0], f"SHIPMENT#{shipment_id}"


def tracking_key(carrier: str, tracking_number: str) -> tuple[str, str]:
    return f"TRACKING#{carrier}#{tracking_number}", "TRACKING"


def new_shipment(
    order: Item,
    shipment_id: str,
    carrier: str,
    tracking_number: str,
    items: list[dict[str, Any]],
    kind: str = "outbound",
) -> Item:
    pk, sk = shipment_key(order["id"], shipment_id)
    now = clock.now()
    return {
        "pk": pk,
        "sk": sk,
        "id": shipment_id,
        "order_id": order["id"],
        "kind": kind,
        "carrier": carrier,
        "tracking_number": tracking_number,
        "items": items,
        "status": "info_received",
        "history": [],
        "shipped_at": clock.iso(now),
        "last_news_at": clock.iso(now),
        "promised_by": order.get("estimated_delivery_by"),
        "timer_kind": STALE,
        "due_at": clock.iso(now + timedelta(hours=settings().stale_shipment_hours)),
    }


def create_ops(shipment: Item) -> list[dict[str, Any]]:
    """The shipment and its tracking index, both new: a tracking number is used once per carrier."""
    pk, sk = tracking_key(shipment["carrier"], shipment["tracking_number"])
    index = {
        "pk": pk,
        "sk": sk,
        "order_id": shipment["order_id"],
        "shipment_id": shipment["id"],
        "kind": shipment["kind"],
    }
    return [
        {"Put": {"Item": serialize(shipment), "ConditionExpression": "attribute_not_exists(sk)"}},
        {"Put": {"Item": serialize(index), "ConditionExpression": "attribute_not_exists(pk)"}},
    ]


def find(table: Table, carrier: str, tracking_number: str) -> Item | None:
    index = table.get(*tracking_key(carrier, tracking_number))
    if index is None:
        return None
    return table.get(*shipment_key(index["order_id"], index["shipment_id"]))


def of_order(table: Table, order_id: str) -> list[Item]:
    items, _ = table.query(
        "pk = :pk AND begins_with(sk, :prefix)",
        expression_values=values(pk=keys.order(order_id)[0], prefix="SHIPMENT#"),
        consistent=True,
    )
    return items
