"""Handing an order (whole or in parts) to a carrier: reserved stock leaves, the buyer is told."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from oms import events, ids
from oms.domain.carriers import CarrierCode
from oms.domain.catalog import SkuQuantity
from oms.domain.order_status import Move
from oms.event_catalogue import OrderShipped
from oms.problems import Conflict, FieldError, ValidationProblem
from oms.store import inventory, moves, shipments
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, Write

TRACKING_PATTERN = r"^[A-Za-z0-9-]{4,40}$"


class ShipLine(SkuQuantity):
    pass


class ShipmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    carrier: CarrierCode
    tracking_number: str = Field(pattern=TRACKING_PATTERN)
    items: list[ShipLine] | None = Field(None, min_length=1, max_length=30)


def _lines_to_ship(order: Item, request: ShipmentRequest) -> dict[str, int]:
    remaining = {line["sku"]: line["quantity"] - line.get("shipped", 0) for line in order["lines"]}
    if request.items is None:
        return {sku: qty for sku, qty in remaining.items() if qty > 0}
    wanted: dict[str, int] = {}
    problems = []
    for i, line in enumerate(request.items):
        if line.sku not in remaining:
            problems.append(FieldError(f"items[{i}].sku", "is not in this order"))
        elif wanted.get(line.sku, 0) + line.quantity > remaining[line.sku]:
            problems.append(FieldError(f"items[{i}].quantity", f"only {remaining[line.sku]} left to ship"))
        else:
            wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    if problems:
        raise ValidationProblem("Some lines cannot be shipped.", code="invalid_shipment", errors=problems)
    return wanted


def ship(table: Table, order: Item, request: ShipmentRequest, by: str) -> tuple[Item, Item]:
    if order.get("pending_edit"):
        # Its lines may still change: the buyer pays the edit's balance, or it lapses, first.
        raise Conflict(
            "An edit of this order waits for its balance; ship it once the edit is paid or has lapsed.",
            code="edit_awaiting_balance",
        )
    wanted = _lines_to_ship(order, request)
    lines = [
        {**line, "shipped": line.get("shipped", 0) + wanted.get(line["sku"], 0)} for line in order["lines"]
    ]
    fully = all(line["shipped"] == line["quantity"] for line in lines)
    shipment_id = ids.derived_id("shp", order["id"], request.carrier, request.tracking_number)
    shipment = shipments.new_shipment(
        order,
        shipment_id,
        request.carrier,
        request.tracking_number,
        [{"sku": s, "quantity": q} for s, q in wanted.items()],
    )
    stock: list[Write] = []
    for line in order["lines"]:
        if wanted.get(line["sku"]):
            stock += inventory.ship_line_ops(line, wanted[line["sku"]], order["channel"])
    try:
        shipped = moves.apply(
            table,
            moves.ORDER,
            order,
            (Move.ship_all if fully else Move.ship_part).value,
            by=by,
            set_fields={"lines": lines},
            remove=("queue", "queue_key") if fully else (),
            also=[*stock, *shipments.create(shipment)],
            note={
                "shipment_id": shipment_id,
                "carrier": request.carrier,
                "tracking_number": request.tracking_number,
            },
        )
    except Cancelled as cancelled:
        raise Conflict(
            f"Tracking number {request.tracking_number} is already used for {request.carrier}.",
            code="tracking_number_in_use",
        ) from cancelled
    events.publish(OrderShipped.of(order, shipment, complete=fully), f"{shipment_id}:shipped")
    return shipped, shipment
