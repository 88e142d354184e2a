"""Storefront routes: products and orders (API.md "Storefront")."""

import hashlib
from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from oms import idempotency, ids
from oms.api.common import (
    OrderId,
    PageCursor,
    PageLimit,
    act_on_order,
    page_response,
)
from oms.api.order_edit_routes import commit_edit, preview_edit
from oms.domain import return_policy
from oms.domain.catalog import SKU_PATTERN
from oms.domain.feedback import FeedbackRequest
from oms.domain.order_edits import OrderEditRequest
from oms.domain.ordering import PlaceOrderRequest
from oms.http import create_app, idempotency_key, json_response, principal, problem_body_response
from oms.lifecycle import cancellation, completion, feedback
from oms.problems import NotFound, Problem
from oms.store import catalog, inventory, keys, orders
from oms.store.table import Item, Table
from oms.views import feedback_view, order_summary, order_view
from oms.workflows import WorkflowFailed, run_place_order

app = create_app()


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
def list_orders(limit: PageLimit = 20, cursor: PageCursor = None) -> Response[str]:
    who = principal(app)
    return page_response(*orders.list_for_customer(Table(), who.subject, limit, cursor), order_summary)


@app.get("/v1/orders/<order_id>", summary="An order: items, totals, status and timeline")
def get_order(order_id: OrderId) -> Response[str]:
    who = principal(app)
    return json_response(200, order_view(*orders.record_for(Table(), order_id, who.subject)))


def _by_buyer(order_id: str, act: Callable[[Table, Item, str], Item]) -> Response[str]:
    """``act`` on the caller's own order in their name."""
    who = principal(app)
    return act_on_order(order_id, who.subject, lambda table, order: act(table, order, who.subject))


@app.post(
    "/v1/orders/<order_id>/cancel",
    summary="Cancel before shipment: stock goes back, a paid order is refunded",
)
def cancel_order(order_id: OrderId) -> Response[str]:
    return _by_buyer(order_id, cancellation.cancel_by_buyer)


@app.post(
    "/v1/orders/<order_id>/edits/preview",
    summary="What an edit before shipment would make of the order: new totals, coupon, the difference",
)
def preview_order_edit(order_id: OrderId, body: Annotated[OrderEditRequest, Body()]) -> Response[str]:
    return preview_edit(order_id, principal(app).subject, body)


@app.post(
    "/v1/orders/<order_id>/edits",
    summary="Edit the order before shipment: a lower total is refunded, a higher one is a balance to pay",
)
def edit_order(order_id: OrderId, body: Annotated[OrderEditRequest, Body()]) -> Response[str]:
    who = principal(app)
    return commit_edit(order_id, who.subject, body, idempotency_key(app, required=False), who.subject)


@app.post("/v1/orders/<order_id>/confirm-receipt", summary="The buyer confirms delivery: the order completes")
def confirm_receipt(order_id: OrderId) -> Response[str]:
    return _by_buyer(order_id, lambda table, order, by: completion.complete(table, order, by=by, how="buyer"))


@app.put(
    "/v1/orders/<order_id>/feedback",
    summary="Rate a completed order (once; the buyer may change it for 7 days)",
)
def give_feedback(order_id: OrderId, body: Annotated[FeedbackRequest, Body()]) -> Response[str]:
    who = principal(app)
    return json_response(200, feedback_view(feedback.give(Table(), order_id, who.subject, body)))


@app.get("/v1/orders/<order_id>/feedback", summary="The caller's feedback on their order")
def get_feedback(order_id: OrderId) -> Response[str]:
    who = principal(app)
    _, children = orders.record_for(Table(), order_id, who.subject)
    given = next((c for c in children if keys.is_feedback(c)), None)
    if given is None:
        raise NotFound(f"No feedback on order {order_id} yet.", code="feedback_not_found")
    return json_response(200, feedback_view(given))
