"""Back-office order work: review, pick, ship, cancel (API.md "Back office")."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from oms import clock
from oms.api.common import OrderId, act_on_order
from oms.api.order_edit_routes import commit_edit, preview_edit
from oms.domain.catalog import SKU_PATTERN
from oms.domain.order_edits import OrderEditRequest
from oms.domain.order_status import Status
from oms.domain.ordering import Channel
from oms.domain.reports import DATE_OR_TIME, check_span, parse_moment
from oms.http import create_app, idempotency_key, json_response, require_admin
from oms.lifecycle import cancellation, review, shipping
from oms.lifecycle.returns import INSPECT_QUEUE
from oms.store import order_search, orders, queues, races
from oms.store.table import Item, Table
from oms.views import order_view

app = create_app()
CUSTOMER_ID = r"^[A-Za-z0-9_-]{1,64}$"
QueueLimit = Annotated[int, Query(ge=1, le=200)]


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


def _queue_response(items: list[dict[str, Any]]) -> Response[str]:
    """A work queue read in one page, with how many of its entries are past their deadline."""
    return json_response(
        200, {"items": items, "overdue": sum(i["overdue"] for i in items), "next_cursor": None}
    )


@app.get("/v1/admin/review-queue", summary="Orders waiting for a person, oldest deadline first")
def review_queue(limit: QueueLimit = 100) -> Response[str]:
    require_admin(app)
    items = [_queue_entry(o, "review_due_at") for o in queues.read(Table(), "REVIEW", limit)]
    return _queue_response(items)


@app.get(
    "/v1/admin/inspection-queue",
    summary="Returns on their way back or arrived, waiting for inspection, oldest first, with the deadline",
)
def inspection_queue(limit: QueueLimit = 100) -> Response[str]:
    require_admin(app)
    items = [
        {**_queue_entry(r, "inspection_due_at"), **{k: r.get(k) for k in ("parcel", "received_at")}}
        for r in queues.read(Table(), INSPECT_QUEUE, limit)
    ]
    return _queue_response(items)


def _search_entry(order: Item) -> dict[str, Any]:
    listed = order.get("exceptions") or []
    return {
        "id": order["id"],
        "status": order["status"],
        "customer_id": order["customer_id"],
        "channel": order["channel"],
        "total": order["totals"]["total"],
        "currency": order["totals"]["currency"],
        "created_at": order["placed_at"],
        "paid_at": order.get("paid_at"),
        "has_exception": bool(listed),
        "open_exceptions": sum(1 for e in listed if e.get("status") == "open"),
    }


@app.get(
    "/v1/admin/orders",
    summary="Search orders, newest first: status, channel, customer, SKU, placed in a period, exceptions",
)
def search_orders(
    status: Annotated[Status | None, Query()] = None,
    channel: Annotated[Channel | None, Query()] = None,
    customer_id: Annotated[str | None, Query(pattern=CUSTOMER_ID)] = None,
    sku: Annotated[str | None, Query(pattern=SKU_PATTERN)] = None,
    from_: Annotated[str | None, Query(alias="from", pattern=DATE_OR_TIME)] = None,
    to: Annotated[str | None, Query(pattern=DATE_OR_TIME)] = None,
    exception: Annotated[str | None, Query(pattern="^(true|false)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response[str]:
    require_admin(app)
    query = order_search.OrderQuery(
        start=parse_moment(from_, "from"),
        end=parse_moment(to, "to", end=True),
        customer_id=customer_id,
        status=status.value if status else None,
        channel=channel.value if channel else None,
        sku=sku,
        exception=None if exception is None else exception == "true",
    )
    start, end = query.window(clock.now())
    if start > end or not customer_id:  # a customer's whole history is one partition: no cap on its span
        check_span(start.date(), end.date())
    found, next_cursor = order_search.search(Table(), query, limit, cursor)
    return json_response(200, {"items": [_search_entry(o) for o in found], "next_cursor": next_cursor})


@app.post("/v1/admin/orders/<order_id>/review", summary="Approve or reject an order held for review")
def review_order(order_id: OrderId, body: Annotated[review.ReviewDecision, Body()]) -> Response[str]:
    who = require_admin(app)
    return act_on_order(order_id, None, lambda table, order: review.decide(table, order, body, who.subject))


@app.get(
    "/v1/admin/fulfillment-queue", summary="Paid orders in pick order: perishable, VIP, then by payment time"
)
def fulfillment_queue(limit: QueueLimit = 100) -> Response[str]:
    require_admin(app)
    items = [_queue_entry(o, "estimated_ship_by") for o in queues.read(Table(), "FULFILL", limit)]
    return _queue_response(items)


@app.post(
    "/v1/admin/orders/<order_id>/shipments", summary="Ship the order, whole or in part; the buyer is told"
)
def ship_order(order_id: OrderId, body: Annotated[shipping.ShipmentRequest, Body()]) -> Response[str]:
    who = require_admin(app)
    table = Table()
    shipped, shipment = races.retry_on_race(
        orders.reader(table, order_id, None),
        lambda order: shipping.ship(table, order, body, who.subject),
        f"order {order_id}",
    )
    return json_response(
        201,
        {
            "order": order_view(shipped),
            "shipment": {k: v for k, v in shipment.items() if k not in ("pk", "sk", "timer_kind", "due_at")},
        },
    )


@app.post("/v1/admin/orders/<order_id>/edits/preview", summary="What an edit would make of the order")
def preview_order_edit(order_id: OrderId, body: Annotated[OrderEditRequest, Body()]) -> Response[str]:
    require_admin(app)
    return preview_edit(order_id, None, body)


@app.post("/v1/admin/orders/<order_id>/edits", summary="Edit the order before shipment on the buyer's behalf")
def edit_order(order_id: OrderId, body: Annotated[OrderEditRequest, Body()]) -> Response[str]:
    who = require_admin(app)
    return commit_edit(order_id, None, body, idempotency_key(app, required=False), who.subject)


@app.post("/v1/admin/orders/<order_id>/cancel", summary="Cancel an order on the buyer's behalf")
def cancel_order(order_id: OrderId) -> Response[str]:
    who = require_admin(app)
    return act_on_order(
        order_id, None, lambda table, order: cancellation.cancel(table, order, by=who.subject, reason="staff")
    )


@app.get("/v1/admin/orders/<order_id>", summary="Any order, with shipments and refunds")
def get_order(order_id: OrderId) -> Response[str]:
    require_admin(app)
    return json_response(200, order_view(*orders.record_for(Table(), order_id, None)))
