"""The place-order workflow's two steps: validate-order reads and checks, reserve-stock writes.

Both answer ``{"ok": true, ...}`` or ``{"ok": false, "problem": {...}}``: a refused order is an answer for
the shopper, not a workflow failure. Both are safe to run again with the same input.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from oms import clock, events, metrics
from oms.config import require, settings
from oms.domain.ordering import OrderDraft, OrderRejected, PlaceOrderRequest, check_order
from oms.event_catalogue import OrderPlaced
from oms.store import orders, snapshot
from oms.store.table import Table
from oms.views import order_view

require("PAYMENT_TIMEOUT_MINUTES", by=__name__)


class PlaceOrderInput(BaseModel):
    order_id: str
    customer_id: str
    request_hash: str
    request: PlaceOrderRequest


class ReserveInput(BaseModel):
    request_hash: str
    draft: OrderDraft
    capped: dict[str, bool]
    coupon_limits: tuple[int | None, int | None]


def validate(payload: dict[str, Any], table: Table) -> dict[str, Any]:
    step = PlaceOrderInput.model_validate(payload)
    request = step.request
    seen = snapshot.read(
        table,
        [line.sku for line in request.items],
        request.channel.value,
        request.coupon_code,
        step.customer_id,
    )
    try:
        draft = check_order(
            request,
            order_id=step.order_id,
            customer_id=step.customer_id,
            products=seen.products,
            available={
                sku: levels.available_for(request.channel.value) for sku, levels in seen.stock.items()
            },
            coupon=seen.coupon,
            coupon_usage=seen.coupon_usage,
            now=clock.now(),
            payment_timeout_minutes=settings().payment_timeout_minutes,
        )
    except OrderRejected as rejected:
        return _refused(rejected)
    reserve = ReserveInput(
        request_hash=step.request_hash,
        draft=draft,
        capped={sku: request.channel.value in levels.channels for sku, levels in seen.stock.items()},
        coupon_limits=(
            (seen.coupon.total_limit, seen.coupon.per_customer_limit) if seen.coupon else (None, None)
        ),
    )
    return {"ok": True, **reserve.model_dump(mode="json")}


def reserve(payload: dict[str, Any], table: Table) -> dict[str, Any]:
    step = ReserveInput.model_validate(payload)
    try:
        order, _created = orders.place(
            table,
            step.draft,
            capped=step.capped,
            coupon_limits=step.coupon_limits,
            request_hash=step.request_hash,
        )
    except OrderRejected as rejected:
        return _refused(rejected)
    # The place-order workflow publishes it next (on a retry too: consumers dedupe on event_id).
    placed = events.for_workflow(
        OrderPlaced(order_id=order["id"], customer_id=order["customer_id"], total=order["totals"]["total"]),
        f"{order['id']}:placed",
        occurred_at=order["placed_at"],
    )
    return {"ok": True, "order": order_view(order), "event": placed}


def _refused(rejected: OrderRejected) -> dict[str, Any]:
    problem = rejected.to_dict()
    metrics.order_rejected(problem)
    return {"ok": False, "problem": problem}
