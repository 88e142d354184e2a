"""Editing an order before it ships: the basket as it should be, priced as placing would price it.

The request names the whole basket after the edit (a line left out, or at quantity 0, is removed; a new SKU
is added; a variant is changed by removing one SKU and adding the other). Lines already on the order keep
the price the buyer paid; added ones take today's. The coupon is checked again against the new basket: it
keeps applying or is dropped (never refused: an edit does not fail on a coupon). What the edit costs is the
difference of the totals: on a paid order a lower total is refunded at once, a higher one is a balance the
buyer pays by a due time — until then the edit waits, holding the units it adds, and the order keeps its
lines; unpaid in time, it is dropped and the order is as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from oms.domain.catalog import SKU_PATTERN, Product
from oms.domain.coupons import Coupon, CouponUsage
from oms.domain.order_status import Status
from oms.domain.ordering import (
    MAX_LINES,
    OrderLineRequest,
    OrderRejected,
    PlaceOrderRequest,
    PricedLine,
    Totals,
    check_order,
)
from oms.problems import Conflict, ValidationProblem

# Before anything ships; an order held for review or on hold is decided on first.
EDITABLE = frozenset({Status.pending_payment, Status.awaiting_fulfillment})
BALANCE_DUE_HOURS = 24  # a paid order's higher total is paid within this, or the edit is dropped


class EditLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(pattern=SKU_PATTERN)
    quantity: StrictInt = Field(ge=0, le=999)


class OrderEditRequest(BaseModel):
    """The basket as it should be after the edit."""

    model_config = ConfigDict(extra="forbid")

    lines: list[EditLine] = Field(min_length=1, max_length=MAX_LINES)
    # The total the buyer saw in the preview: a price that moved since answers 409 instead of charging it.
    expected_total: StrictInt | None = Field(None, ge=0)
    note: str | None = Field(None, max_length=500)

    def fingerprint(self) -> str:
        """The request's content, kept with the edit: its key sent again with another body is refused."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class EditPlan:
    lines: list[PricedLine]
    totals: Totals
    previous_total: int
    coupon: str  # "kept", "dropped" or "none"
    added: dict[str, int]  # units per SKU the edit reserves
    removed: dict[str, int]  # units per SKU it gives back

    @property
    def difference(self) -> int:
        return self.totals.total - self.previous_total


def _basket(request: OrderEditRequest) -> dict[str, int]:
    basket: dict[str, int] = {}
    for line in request.lines:
        basket[line.sku] = basket.get(line.sku, 0) + line.quantity
    return {sku: qty for sku, qty in basket.items() if qty > 0}


def _price(product: Product | None) -> int:
    return product.price if product is not None else 0


def changes(order: Mapping[str, Any], basket: Mapping[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Units added and removed per SKU, from the order's lines to ``basket``."""
    held = {str(line["sku"]): int(line["quantity"]) for line in order["lines"]}
    added = {sku: qty - held.get(sku, 0) for sku, qty in basket.items() if qty > held.get(sku, 0)}
    removed = {sku: qty - basket.get(sku, 0) for sku, qty in held.items() if qty > basket.get(sku, 0)}
    return added, removed


def check_editable(order: Mapping[str, Any]) -> None:
    """An order may be edited before anything ships, and one edit at a time."""
    if order["status"] not in EDITABLE:
        raise Conflict(
            f"An order that is {order['status']} can no longer be edited.",
            code="order_not_editable",
            extra={"current_status": order["status"]},
        )
    if order.get("payment_plan"):
        raise Conflict(
            "A presale order is paid in two parts as placed; cancel it and order again to change it.",
            code="presale_not_editable",
        )
    if order.get("replaces_order_id"):
        raise Conflict(
            "This order sends the goods of an exchange: it changes with its return, not by an edit.",
            code="replacement_not_editable",
        )
    if order.get("pending_edit"):
        raise Conflict(
            "An earlier edit of this order waits for its balance: pay it or let it lapse first.",
            code="edit_awaiting_balance",
        )


def _as_placing(
    order: Mapping[str, Any], basket: Mapping[str, int], priced: Mapping[str, Product | None]
) -> PlaceOrderRequest:
    """The edited basket as a request to place: the order's address, payment, coupon and channel."""
    return PlaceOrderRequest(
        items=[
            OrderLineRequest(sku=sku, quantity=qty, unit_price=_price(priced.get(sku)))
            for sku, qty in basket.items()
        ],
        shipping_address=order["shipping_address"],
        payment_method=order["payment_method"],
        coupon_code=order.get("coupon_code"),
        channel=order["channel"],
        currency=order["totals"]["currency"],
    )


def plan_edit(
    order: Mapping[str, Any],
    request: OrderEditRequest,
    *,
    products: Mapping[str, Product | None],
    available: Mapping[str, int],
    coupon: Coupon | None,
    now: datetime,
) -> EditPlan:
    """The edited order priced, or :class:`OrderRejected` (stock short, product gone) naming each line."""
    check_editable(order)
    basket = _basket(request)
    if not basket:
        raise Conflict(
            "An edit cannot remove every line: cancel the order instead.", code="edit_empties_order"
        )
    paid_price = {str(line["sku"]): int(line["unit_price"]) for line in order["lines"]}
    held = {str(line["sku"]): int(line["quantity"]) for line in order["lines"]}
    priced = {
        sku: (p.model_copy(update={"price": paid_price[sku]}) if p is not None and sku in paid_price else p)
        for sku, p in products.items()
    }
    # What the order holds of a SKU is its own to keep: only the units beyond it need to be free.
    room = {sku: available.get(sku, 0) + held.get(sku, 0) for sku in basket}
    place = _as_placing(order, basket, priced)

    def check(request_: PlaceOrderRequest) -> tuple[list[PricedLine], Totals]:
        draft = check_order(
            request_,
            order_id=str(order["id"]),
            customer_id=str(order["customer_id"]),
            products=priced,
            available=room,
            coupon=coupon,
            coupon_usage=CouponUsage(),  # the order holds its use already
            now=now,
            payment_timeout_minutes=0,
        )
        return draft.lines, draft.totals

    coupon_effect = "kept" if place.coupon_code else "none"
    try:
        priced_lines, new_totals = check(place)
    except OrderRejected as rejected:
        if not place.coupon_code or {e.extra.get("code") for e in rejected.errors} != {"coupon_invalid"}:
            raise
        priced_lines, new_totals = check(place.model_copy(update={"coupon_code": None}))
        coupon_effect = "dropped"
    added, removed = changes(order, basket)
    if len(added) + len(removed) > MAX_LINES:  # one transaction: the order, and each changed line's stock
        raise ValidationProblem(
            f"An edit changes at most {MAX_LINES} lines; split it in two.", code="edit_too_large"
        )
    return EditPlan(priced_lines, new_totals, int(order["totals"]["total"]), coupon_effect, added, removed)


def balance_due_at(now: datetime) -> datetime:
    return now + timedelta(hours=BALANCE_DUE_HOURS)


def settlement(plan: EditPlan, paid: bool) -> str:
    """``apply`` at once (unpaid order, or no more to pay: the difference is refunded), else ``balance``."""
    return "balance" if paid and plan.difference > 0 else "apply"
