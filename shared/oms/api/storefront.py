"""Storefront routes: products and orders (API.md "Storefront")."""

import hashlib
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from oms import idempotency, ids
from oms.domain import return_policy
from oms.domain.catalog import SKU_PATTERN
from oms.domain.ordering import PlaceOrderRequest
from oms.http import create_app, json_response, principal, problem_body_response
from oms.lifecycle import cancellation, completion
from oms.lifecycle.common import retry_on_race
from oms.problems import NotFound, Problem
from oms.store import catalog, inventory, orders
from oms.store.table import Table
from oms.views import order_summary, order_view
from oms.workflows import WorkflowFailed, run_place_order

app = create_app()
ORDER_ID = r"^ord_[0-9a-z]{20}$"


@app.get("/v1/products/<sku>", summary="A product: price, flags, return policy and what may be promised")
def get_product(
    sku: Annotated[str, Path(pattern=SKU_PATTERN)],
    channel: Annotated[str | None, Query(max_length=32)] = None,
) -> Response[str]:
    table = Table()
    product = catalog.get_product(table, sku)
    if product is None or not product.active:
        raise NotFound(f"No product {sku}.", code="product_not_found")
    levels = inventory.levels(table, sku)
    return json_response(
        200,
        {
            **product.model_dump(mode="json"),
            "available": levels.available_for(channel),
            "return_policy": return_policy.summary(
                return_policy.ItemProfile.model_validate(product.model_dump()), return_policy.ReturnPolicy()
            ),
        },
    )


@app.post("/v1/orders", summary="Validate and place an order; stock is reserved with the order")
def place_order(request: Annotated[PlaceOrderRequest, Body()]) -> Response[str]:
    who = principal(app)
    key = idempotency.key_from(app, required=True)
    assert key is not None
    body = request.model_dump(mode="json")

    def produce() -> Response[str]:
        order_id = ids.derived_id("ord", who.subject, key)
        payload: dict[str, Any] = {
            "order_id": order_id,
            "customer_id": who.subject,
            "request_hash": hashlib.sha256(
                app.current_event.body.encode() if app.current_event.body else b""
            ).hexdigest(),
            "request": body,
        }
        output = run_place_order(payload)
        if not output.get("ok"):
            return problem_body_response(output["problem"])
        return json_response(201, output["order"], headers={"Location": f"/v1/orders/{order_id}"})

    try:
        return idempotency.once(app, f"orders#{who.subject}", key, body, produce)
    except WorkflowFailed as failed:
        raise Problem(
            "The order could not be processed right now; retry with the same Idempotency-Key.",
            code="temporarily_unavailable",
            status=503,
            title="Try again",
        ) from failed


@app.get("/v1/orders", summary="The caller's orders, newest first")
def list_orders(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response[str]:
    who = principal(app)
    items, next_cursor = orders.list_for_customer(Table(), who.subject, limit, cursor)
    return json_response(200, {"items": [order_summary(o) for o in items], "next_cursor": next_cursor})


@app.get("/v1/orders/<order_id>", summary="An order: items, totals, status and timeline")
def get_order(order_id: Annotated[str, Path(pattern=ORDER_ID)]) -> Response[str]:
    who = principal(app)
    return json_response(200, order_view(*orders.record_for(Table(), order_id, who.subject)))


@app.post(
    "/v1/orders/<order_id>/cancel",
    summary="Cancel before shipment: stock goes back, a paid order is refunded",
)
def cancel_order(order_id: Annotated[str, Path(pattern=ORDER_ID)]) -> Response[str]:
    who = principal(app)
    table = Table()
    cancelled = retry_on_race(
        table,
        order_id,
        who.subject,
        lambda order: cancellation.cancel(table, order, by=who.subject, reason="customer_request"),
    )
    return json_response(200, order_view(cancelled))


@app.post("/v1/orders/<order_id>/confirm-receipt", summary="The buyer confirms delivery: the order completes")
def confirm_receipt(order_id: Annotated[str, Path(pattern=ORDER_ID)]) -> Response[str]:
    who = principal(app)
    table = Table()
    completed = retry_on_race(
        table,
        order_id,
        who.subject,
        lambda order: completion.complete(table, order, by=who.subject, how="buyer"),
    )
    return json_response(200, order_view(completed))
