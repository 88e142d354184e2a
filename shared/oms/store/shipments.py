"""Shipments of an order and the tracking-number index carriers' events are matched by.

A shipment carries a ``version``: tracking rewrites its (sorted) history, so every change is conditioned
on the version it was read at. Items written before versions existed read as version 0.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from oms import clock
from oms.config import require, settings
from oms.store import carrier_stats, keys, unit_of_work
from oms.store.table import Item, Table, values
from oms.store.unit_of_work import Write, put

require("STALE_SHIPMENT_HOURS", by=__name__)

STALE = "stale_shipment"
RETURN_KIND = "return"
SHIPMENT, TRACKING = "shipment", "tracking"


def new_shipment(
    order: Item,
    shipment_id: str,
    carrier: str,
    tracking_number: str,
    items: list[dict[str, Any]],
    kind: str = "outbound",
) -> Item:
    now = clock.now()
    return {
        **keys.key(keys.shipment(order["id"], shipment_id)),
        "id": shipment_id,
        "order_id": order["id"],
        "kind": kind,
        "carrier": carrier,
        "tracking_number": tracking_number,
        "items": items,
        "status": "info_received",
        "version": 1,
        "history": [],
        "shipped_at": clock.iso(now),
        "last_news_at": clock.iso(now),
        "promised_by": order.get("estimated_delivery_by"),
        **stale_timer_fields(),
    }


def create(shipment: Item) -> list[Write]:
    """The shipment and its tracking index, both new (a merchant's tracking number is used once per
    carrier; a return parcel's once per order), and the carrier's day count of parcels."""
    owner = shipment["order_id"] if shipment["kind"] == RETURN_KIND else None
    index = {
        **keys.key(keys.tracking(shipment["carrier"], shipment["tracking_number"], owner)),
        "order_id": shipment["order_id"],
        "shipment_id": shipment["id"],
        "kind": shipment["kind"],
        **({"return_id": shipment["return_id"]} if shipment.get("return_id") else {}),
    }
    return [
        put(SHIPMENT, shipment, condition="attribute_not_exists(sk)"),
        put(TRACKING, index, condition="attribute_not_exists(pk)"),
        carrier_stats.add(shipment["carrier"], shipment["shipped_at"], shipments=1),
    ]


def _version_condition(shipment: Item) -> tuple[str, dict[str, Any]]:
    if "version" not in shipment:
        return "attribute_exists(sk) AND attribute_not_exists(version)", {}
    return "version = :s_version", {"s_version": shipment["version"]}


def update(shipment: Item, fields: dict[str, Any], *, remove: tuple[str, ...] = ()) -> Write:
    """Set ``fields`` (and drop ``remove``) on the shipment as read, bumping its version."""
    condition, named = _version_condition(shipment)
    names = {f"#s{i}": name for i, name in enumerate(fields)}
    sets = [f"#s{i} = :s{i}" for i in range(len(fields))]
    sets.append("version = if_not_exists(version, :s_zero) + :s_one")
    expression = "SET " + ", ".join(sets)
    if remove:
        names.update({f"#x{i}": name for i, name in enumerate(remove)})
        expression += " REMOVE " + ", ".join(f"#x{i}" for i in range(len(remove)))
    return unit_of_work.update(
        SHIPMENT,
        keys.shipment(shipment["order_id"], shipment["id"]),
        expression,
        condition=condition,
        names=names or None,
        named_values={
            **{f"s{i}": value for i, value in enumerate(fields.values())},
            "s_zero": 0,
            "s_one": 1,
            **named,
        },
    )


def mark_intercepted(shipment: Item, return_id: str, moving: frozenset[str]) -> Write:
    """The buyer's parcel is being brought back for ``return_id``: only while it is still ``moving`` (one of
    those statuses), so news that it arrived cannot slip in between the decision and this mark."""
    named = {f"s_m{i}": status for i, status in enumerate(sorted(moving))}
    return unit_of_work.update(
        SHIPMENT,
        keys.shipment(shipment["order_id"], shipment["id"]),
        "SET intercepted_for = :s_return",
        condition=f"#s_status IN ({', '.join(':' + k for k in named)}) AND attribute_not_exists(intercepted_for)",
        names={"#s_status": "status"},
        named_values={"s_return": return_id, **named},
    )


def stale_timer_fields() -> dict[str, Any]:
    """Re-arm the stale-shipment timer: no news for this long and a person looks."""
    return {
        "timer_kind": STALE,
        "due_at": clock.iso(clock.now() + timedelta(hours=settings().stale_shipment_hours)),
    }


def parcel_index(table: Table, carrier: str, tracking_number: str) -> Item | None:
    """The one parcel a carrier's number stands for: the merchant's shipment when there is one, else the
    return parcel filed under it — unless several buyers filed it, when it is nobody's (a carrier event
    then moves no parcel rather than someone else's)."""
    partition, _ = keys.tracking(carrier, tracking_number)
    found, _ = table.query("pk = :pk", expression_values=values(pk=partition), consistent=True)
    merchant = [i for i in found if i["sk"] == "TRACKING"]
    if merchant:
        return merchant[0]
    returned = [i for i in found if keys.is_return_parcel(i)]
    return returned[0] if len(returned) == 1 else None


def find(table: Table, carrier: str, tracking_number: str) -> Item | None:
    index = parcel_index(table, carrier, tracking_number)
    if index is None:
        return None
    return table.get(*keys.shipment(index["order_id"], index["shipment_id"]))


def of_order(table: Table, order_id: str) -> list[Item]:
    items, _ = table.query(
        "pk = :pk AND begins_with(sk, :prefix)",
        expression_values=values(pk=keys.order(order_id)[0], prefix=keys.SHIPMENT_PREFIX),
        consistent=True,
    )
    return items
