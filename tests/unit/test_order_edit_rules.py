"""The rules of an order edit: the basket priced as placing prices it, the paid prices kept, the coupon
kept or dropped, stock counted with what the order already holds, and the edits that cannot be made."""

from __future__ import annotations

from typing import Any

import pytest
from oms.domain.coupons import Coupon
from oms.domain.order_edits import EditLine, OrderEditRequest, plan_edit, settlement
from oms.domain.ordering import OrderRejected
from oms.problems import Conflict, ValidationProblem

from tests.unit.order_builders import NOW, address, catalogue, product

TEA, CUP, POT = product("TEA-250", 3900), product("CUP-1", 1500, category="kitchen"), product("POT-1", 9900)


def order(*lines: tuple[str, int, int], status: str = "awaiting_fulfillment", **more: Any) -> dict[str, Any]:
    subtotal = sum(q * p for _, q, p in lines)
    return {
        "id": "ord_1",
        "customer_id": "cus_1",
        "status": status,
        "channel": "web",
        "payment_method": "alipay",
        "shipping_address": address().model_dump(mode="json"),
        "lines": [{"sku": s, "quantity": q, "unit_price": p} for s, q, p in lines],
        "totals": {
            "subtotal": subtotal,
            "discount": 0,
            "shipping_fee": 0,
            "total": subtotal,
            "currency": "CNY",
        },
        **more,
    }


def request(*lines: tuple[str, int]) -> OrderEditRequest:
    return OrderEditRequest(lines=[EditLine(sku=s, quantity=q) for s, q in lines])


def plan(
    current: dict[str, Any], *lines: tuple[str, int], available: int = 100, coupon: Coupon | None = None
) -> Any:
    products = catalogue(TEA, CUP, POT)
    return plan_edit(
        current,
        request(*lines),
        products=products,
        available={sku: available for sku in products},
        coupon=coupon,
        now=NOW,
    )


def test_a_smaller_basket_costs_less_and_gives_the_units_back() -> None:
    current = order(("TEA-250", 3, 3900), ("CUP-1", 2, 1500))
    edited = plan(current, ("TEA-250", 3))
    assert (edited.added, edited.removed) == ({}, {"CUP-1": 2})
    assert edited.difference == edited.totals.total - current["totals"]["total"] < 0
    assert settlement(edited, paid=True) == "apply"


def test_a_larger_basket_on_a_paid_order_waits_for_its_balance_an_unpaid_one_applies() -> None:
    current = order(("TEA-250", 10, 3900))
    edited = plan(current, ("TEA-250", 10), ("POT-1", 1))
    assert edited.added == {"POT-1": 1} and edited.difference == 9900
    assert settlement(edited, paid=True) == "balance"
    assert settlement(edited, paid=False) == "apply"


def test_lines_already_bought_keep_their_price_added_ones_take_todays() -> None:
    current = order(("TEA-250", 10, 3000))  # bought before the price went up to 39.00
    edited = plan(current, ("TEA-250", 11), ("CUP-1", 1))
    prices = {line.sku: line.unit_price for line in edited.lines}
    assert prices == {"TEA-250": 3000, "CUP-1": 1500}


def test_the_units_the_order_holds_count_as_its_own() -> None:
    current = order(("TEA-250", 3, 3900))
    assert plan(current, ("TEA-250", 4), available=1).added == {"TEA-250": 1}
    with pytest.raises(OrderRejected) as short:
        plan(current, ("TEA-250", 5), available=1)
    assert short.value.code == "insufficient_stock"


def test_a_coupon_the_new_basket_no_longer_earns_is_dropped_not_refused() -> None:
    coupon = Coupon(code="SAVE10", kind="fixed", value=1000, min_subtotal=20000)
    current = order(("TEA-250", 6, 3900), coupon_code="SAVE10")
    assert plan(current, ("TEA-250", 6), coupon=coupon).coupon == "kept"
    dropped = plan(current, ("TEA-250", 2), coupon=coupon)
    assert dropped.coupon == "dropped" and dropped.totals.discount == 0


@pytest.mark.parametrize(
    ("current", "lines", "code"),
    [
        (order(("TEA-250", 1, 3900), status="shipped"), [("TEA-250", 1)], "order_not_editable"),
        (order(("TEA-250", 1, 3900), status="under_review"), [("TEA-250", 1)], "order_not_editable"),
        (
            order(("TEA-250", 1, 3900), pending_edit={"id": "edt_1"}),
            [("TEA-250", 1)],
            "edit_awaiting_balance",
        ),
        (order(("TEA-250", 1, 3900)), [("TEA-250", 0)], "edit_empties_order"),
    ],
)
def test_edits_that_cannot_be_made(current: dict[str, Any], lines: list[tuple[str, int]], code: str) -> None:
    with pytest.raises(Conflict) as refused:
        plan(current, *lines)
    assert refused.value.code == code


def test_an_edit_changing_more_lines_than_one_transaction_holds_is_refused() -> None:
    many = [product(f"SKU-{n:02d}", 100) for n in range(40)]
    current = order(*[(p.sku, 1, 100) for p in many[:20]])
    products = catalogue(*many)
    with pytest.raises(ValidationProblem) as refused:
        plan_edit(
            current,
            request(*[(p.sku, 1) for p in many[20:]]),
            products=products,
            available={p.sku: 5 for p in many},
            coupon=None,
            now=NOW,
        )
    assert refused.value.code == "edit_too_large"
