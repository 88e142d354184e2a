"""Back-office order work: review, pick, ship, cancel (API.md "Back office")."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from oms import clock
from oms.http import create_app, json_response, require_admin
from oms.lifecycle import cancellation, review, shipping
from oms.lifecycle.common import retry_on_race
from oms.store import orders, queues
from oms.store.table import Item, Table
from oms.views import order_view

app = create_app()
ORDER_ID = r"^ord_[0-9a-z]{20}$"


def _queue_entry(order: Item, deadline_field: str) -> dict[str, Any]:
    deadline = order.get(deadline_field)
    if order["id"].startswith("ret_"):  # returns wait in the same review queue
        return {
            "kind": "return",
            "id": order["id"],
            "order_id": order["order_id"],
            "status": order["status"],
            "customer_id": order["customer_id"],
            "reason": order["reason"],
            "deadline": deadline,
            "overdue": bool(deadline and deadline < clock.now_iso()),
        }
    return {
        "kind": "order",
        "id": order["id"],
        "status": order["status"],
        "customer_id": order["customer_id"],
        "total": order["totals"]["total"],
        "currency": order["totals"]["currency"],
        "paid_at": order.get("paid_at"),
        "deadline": deadline,
        "overdue": bool(deadline and deadline < clock.now_iso()),
        "reasons": order.get("review_reasons", []),
        "perishable": order.get("perishable", False),
        "vip": order.get("vip", False),
    }


@app.get("/v1/admin/review-queue", summary="Orders waiting for a person, oldest deadline first")
def review_queue(limit: Annotated[int, Query(ge=1, le=200)] = 100) -> Response[str]:
    require_admin(app)
    items = [_queue_entry(o, "review_due_at") for o in queues.read(Table(), "REVIEW", limit)]
    return json_response(
        200, {"items": items, "overdue": sum(i["overdue"] for i in items), "next_cursor": None}
    )


@app.post("/v1/admin/orders/<order_id>/review", summary="Approve or reject an order held for review")
def review_order(
    order_id: Annotated[str, Path(pattern=ORDER_ID)], body: Annotated[review.ReviewDecision, Body()]
) -> Response[str]:
    who = require_admin(app)
    table = Table()
    decided = retry_on_race(
        table, order_id, None, lambda order: review.decide(table, order, body, who.subject)
    )
    return json_response(200, order_view(decided))


@app.get(
    "/v1/admin/fulfillment-queue", summary="Paid orders in pick order: perishable, VIP, then by payment time"
)
def fulfillment_queue(limit: Annotated[int, Query(ge=1, le=200)] = 100) -> Response[str]:
    require_admin(app)
    items = [_queue_entry(o, "estimated_ship_by") for o in queues.read(Table(), "FULFILL", limit)]
    return json_response(
        200, {"items": items, "overdue": sum(i["overdue"] for i in items), "next_cursor": None}
    )


@app.post(
    "/v1/admin/orders/<order_id>/shipments", summary="Ship the order, whole or in part; the buyer is told"
)
def ship_order(
    order_id: Annotated[str, Path(pattern=ORDER_ID)], body: Annotated[shipping.ShipmentRequest, Body()]
) -> Response[str]:
    who = require_admin(app)
    table = Table()
    shipped, shipment = retry_on_race(
        table, order_id, None, lambda order: shipping.ship(table, order, body, who.subject)
    )
    return json_response(
        201,
        {
            "order": order_view(shipped),
            "shipment": {k: v for k, v in shipment.items() if k not in ("pk", "sk", "timer_kind", "due_at")},
        },
    )


@app.post("/v1/admin/orders/<order_id>/cancel", summary="Cancel an order on the buyer's behalf")
def cancel_order(order_id: Annotated[str, Path(pattern=ORDER_ID)]) -> Response[str]:
    who = require_admin(app)
    table = Table()
    cancelled = retry_on_race(
        table, order_id, None, lambda order: cancellation.cancel(table, order, by=who.subject, reason="staff")
    )
    return json_response(200, order_view(cancelled))


@app.get("/v1/admin/orders/<order_id>", summary="Any order, with shipments and refunds")
def get_order(order_id: Annotated[str, Path(pattern=ORDER_ID)]) -> Response[str]:
    require_admin(app)
    return json_response(200, order_view(*orders.record_for(Table(), order_id, None)))
