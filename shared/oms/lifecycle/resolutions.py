"""What settling an exception does (重发、退款、补偿): the writes of each remedy, to commit with the resolution.

Each remedy is planned as an :class:`Effect`: writes on the order item (a :class:`Patch`), other named writes
(stock, a shipment, a refund, a coupon or a credit), what to record, and what to announce once committed.
The exception use case commits it together with marking the exception resolved, in one transaction, so a
remedy is never applied without its exception being settled, nor twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, model_validator

from oms import clock, events, ids
from oms.config import require, settings
from oms.domain.carriers import CarrierCode
from oms.domain.catalog import MAX_PRICE
from oms.domain.coupons import COUPON_CODE_PATTERN, Coupon, CouponKind
from oms.domain.order_exceptions import ResolutionAction
from oms.domain.order_status import Status
from oms.event_catalogue import OrderShipped
from oms.lifecycle.completion import AUTO_CONFIRM
from oms.lifecycle.shipping import TRACKING_PATTERN, ShipLine
from oms.problems import Conflict, FieldError, Problem, ValidationProblem
from oms.store import catalog, credits, inventory, refunds, shipments
from oms.store.patches import EMPTY, Patch
from oms.store.table import Item, Table
from oms.store.unit_of_work import Write

require("AUTO_CONFIRM_DAYS", by=__name__)

A = ResolutionAction
SHIPPED_STATUSES = frozenset({Status.partially_shipped, Status.shipped, Status.delivered, Status.completed})


class Resolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ResolutionAction
    amount: StrictInt | None = Field(None, ge=1, le=MAX_PRICE, description="minor units, order currency")
    items: list[ShipLine] | None = Field(
        None, min_length=1, max_length=30, description="reship: what to send"
    )
    carrier: CarrierCode | None = Field(None, description="reship: the new parcel's carrier")
    tracking_number: str | None = Field(None, pattern=TRACKING_PATTERN)
    coupon_code: str | None = Field(
        None, pattern=COUPON_CODE_PATTERN, description="compensation as a one-use coupon with this code"
    )
    coupon_ends_at: AwareDatetime | None = None
    note: str | None = Field(None, max_length=1000)

    @model_validator(mode="after")
    def _complete(self) -> Resolution:
        if self.action is A.reship and not (self.items and self.carrier and self.tracking_number):
            raise ValueError("reship needs items, carrier and tracking_number")
        if self.action in (A.partial_refund, A.compensation) and self.amount is None:
            raise ValueError(f"{self.action.value} needs an amount")
        if self.coupon_code and self.action is not A.compensation:
            raise ValueError("coupon_code goes with compensation only")
        return self


@dataclass
class Effect:
    record: dict[str, Any] = field(default_factory=dict)
    patch: Patch = EMPTY
    writes: list[Write] = field(default_factory=list)
    # By write name, for each write that may fail its condition: how to tell the caller (read only when needed).
    refusals: dict[str, Callable[[], Problem]] = field(default_factory=dict)
    after: list[Callable[[], None]] = field(default_factory=list)


def plan(table: Table, order: Item, exception: dict[str, Any], resolution: Resolution, by: str) -> Effect:
    match resolution.action:
        case A.refund | A.partial_refund:
            return _refund(order, exception, resolution)
        case A.reship:
            return _reship(table, order, exception, resolution, by)
        case A.compensation:
            return _compensation(order, exception, resolution)
        case _:
            return Effect()


def _refund(order: Item, exception: dict[str, Any], resolution: Resolution) -> Effect:
    refundable = int(order.get("refundable", 0))
    amount = resolution.amount if resolution.amount is not None else refundable
    if amount <= 0:
        raise Conflict(
            "Nothing has been paid on this order that could be refunded.", code="nothing_to_refund"
        )
    if amount > refundable:
        raise Conflict(
            f"At most {refundable} can still be refunded on this order.",
            code="refund_exceeds_captured",
            extra={"refundable": refundable},
        )
    refund_id = ids.derived_id("ref", order["id"], exception["id"])
    item = refunds.refund_item(order, refund_id, amount, f"exception:{exception['kind']}")
    return Effect(
        record={"refund_id": refund_id, "amount": amount},
        # The order's own condition keeps refunded + amount <= captured, as refunds.start does.
        patch=Patch(
            sets=("refunded = refunded + :rf_amount", "refundable = refundable - :rf_amount"),
            conditions=("refundable >= :rf_amount",),
            values={"rf_amount": amount},
        ),
        writes=[refunds.put_new(item)],
        after=[lambda: refunds.announce(item)],
    )


def _reship_lines(order: Item, lines: list[ShipLine]) -> dict[str, int]:
    ordered = {line["sku"]: line["quantity"] for line in order["lines"]}
    wanted: dict[str, int] = {}
    problems = []
    for i, line in enumerate(lines):
        if line.sku not in ordered:
            problems.append(FieldError(f"resolution.items[{i}].sku", "is not in this order"))
        elif wanted.get(line.sku, 0) + line.quantity > ordered[line.sku]:
            problems.append(
                FieldError(f"resolution.items[{i}].quantity", f"the order has only {ordered[line.sku]}")
            )
        else:
            wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    if problems:
        raise ValidationProblem("Some lines cannot be sent again.", code="invalid_shipment", errors=problems)
    return wanted


def _reship(table: Table, order: Item, exception: dict[str, Any], resolution: Resolution, by: str) -> Effect:
    if order["status"] not in SHIPPED_STATUSES:
        raise Conflict("Nothing of this order has shipped yet: ship it instead.", code="not_shipped")
    assert resolution.items and resolution.carrier and resolution.tracking_number  # checked by the model
    wanted = _reship_lines(order, resolution.items)
    carrier, tracking_number = resolution.carrier, resolution.tracking_number
    shipment_id = ids.derived_id("shp", order["id"], carrier, tracking_number)
    shipment = shipments.new_shipment(
        order,
        shipment_id,
        carrier,
        tracking_number,
        [{"sku": sku, "quantity": qty} for sku, qty in wanted.items()],
        kind="reship",
    )
    writes: list[Write] = []
    refusals: dict[str, Callable[[], Problem]] = {}
    for sku, qty in wanted.items():
        stock = inventory.reship_ops(sku, qty, inventory.levels(table, sku))
        refusals.update((write.name, _short(table, sku, qty)) for write in stock)
        writes += stock

    def in_use() -> Problem:
        return Conflict(
            f"Tracking number {tracking_number} is already used for {carrier}.", code="tracking_number_in_use"
        )

    parcel = shipments.create(shipment)
    refusals.update((write.name, in_use) for write in parcel)
    writes += parcel

    def announce() -> None:
        reshipped = OrderShipped.of(order, shipment, complete=True, reship=True, exception_id=exception["id"])
        events.publish(reshipped, f"{shipment_id}:shipped")

    return Effect(
        patch=_confirm_later(order),
        record={
            "shipment_id": shipment_id,
            "carrier": carrier,
            "tracking_number": tracking_number,
            "items": shipment["items"],
            "shipped_by": by,
        },
        writes=writes,
        refusals=refusals,
        after=[announce],
    )


def _confirm_later(order: Item) -> Patch:
    """A delivered order waiting for auto-confirmation waits again, counted from the replacement's dispatch."""
    if order.get("timer_kind") != AUTO_CONFIRM:
        return EMPTY
    later = clock.iso(clock.now() + timedelta(days=settings().auto_confirm_days))
    return Patch(sets=("due_at = :rs_due",), values={"rs_due": max(later, order.get("due_at", later))})


def _short(table: Table, sku: str, quantity: int) -> Callable[[], Problem]:
    def problem() -> Problem:
        available = inventory.levels(table, sku).pool.available
        return Conflict(
            f"Not enough {sku} in stock to send {quantity} again.",
            code="insufficient_stock",
            errors=[
                FieldError(
                    "resolution.items",
                    f"only {available} of {sku} available",
                    {"code": "insufficient_stock", "sku": sku, "available": available},
                )
            ],
        )

    return problem


def _compensation(order: Item, exception: dict[str, Any], resolution: Resolution) -> Effect:
    assert resolution.amount is not None
    currency = order["totals"]["currency"]
    if resolution.coupon_code:
        coupon = Coupon(
            code=resolution.coupon_code,
            kind=CouponKind.fixed,
            value=resolution.amount,
            currency=currency,
            ends_at=resolution.coupon_ends_at,
            total_limit=1,
            per_customer_limit=1,
        )
        return Effect(
            record={"amount": resolution.amount, "currency": currency, "coupon_code": coupon.code},
            writes=[catalog.issue_coupon(coupon, issued_to=order["customer_id"], issued_for=exception["id"])],
            refusals={
                catalog.ISSUED_COUPON: lambda: Conflict(
                    f"Coupon code {coupon.code} is taken.", code="coupon_code_in_use"
                )
            },
        )
    credit_id = ids.derived_id("crd", order["id"], exception["id"])
    return Effect(
        record={"amount": resolution.amount, "currency": currency, "credit_id": credit_id},
        writes=credits.grant(
            order["customer_id"],
            credit_id,
            resolution.amount,
            currency,
            f"exception:{exception['kind']}",
            order["id"],
        ),
    )
