"""A delivered order to return, built through the real use cases."""

from __future__ import annotations

from typing import Any

from oms import clock, ids
from oms.domain.order_status import Move
from oms.lifecycle import completion, payments, shipping
from oms.placing import reserve, validate
from oms.store import moves, orders
from oms.store.table import Table

from tests.integration.helpers import order_request, step_input


def pay_in_full(table: Table, order: dict[str, Any]) -> str:
    """The provider's notice of ``order``'s total paid: what the payments use case made of it."""
    event = payments.PaymentEvent(
        event_id=ids.new_id("evt"),
        type="payment.succeeded",
        order_id=order["id"],
        payment_id=ids.new_id("pay"),
        amount=order["totals"]["total"],
        currency="CNY",
        occurred_at=clock.now(),
    )
    return payments.handle(table, event)


def shipped_order(
    table: Table, *lines: tuple[str, int, int], customer: str = "cus_r", coupon: str | None = None
) -> dict[str, Any]:
    """Placed, paid and handed to the carrier (its parcel's tracking number in ``tracking_number``)."""
    request = order_request(*lines, **({"coupon_code": coupon} if coupon else {}))
    checked = validate(step_input(request, customer), table)
    assert checked["ok"], checked
    order = reserve(checked, table)["order"]
    assert pay_in_full(table, order) == "paid"
    tracking_number = f"SF{ids.new_id('t')[2:14]}"
    shipped, _ = shipping.ship(
        table,
        orders.get(table, order["id"]),
        shipping.ShipmentRequest(carrier="sf", tracking_number=tracking_number),
        "adm",
    )
    return {**shipped, "tracking_number": tracking_number}


def delivered_order(
    table: Table, *lines: tuple[str, int, int], customer: str = "cus_r", coupon: str | None = None
) -> dict[str, Any]:
    shipped = shipped_order(table, *lines, customer=customer, coupon=coupon)
    shipped.pop("tracking_number")
    delivered = moves.apply(
        table,
        moves.ORDER,
        shipped,
        Move.deliver.value,
        by="carrier",
        set_fields=completion.delivered_fields(),
    )
    return dict(delivered)
