"""The place-order steps on a real engine: validate-order then reserve-stock, and release-unpaid."""

from __future__ import annotations

from oms import clock, ids
from oms.jobs import release_unpaid
from oms.placing import reserve, validate
from oms.store import catalog, inventory, orders
from oms.store.table import Table

from tests.integration.helpers import order_request, step_input, stocked_product


def place(table: Table, request: dict, customer: str = "cus_1") -> dict:
    checked = validate(step_input(request, customer), table)
    assert checked["ok"], checked
    return reserve(checked, table)


def test_an_order_reserves_every_line_with_the_order(cloud: object) -> None:
    table = Table()
    tea, cup = stocked_product(table, 10), stocked_product(table, 5, price=2500)
    placed = place(table, order_request((tea, 2, 3900), (cup, 1, 2500)))
    assert placed["ok"]
    order = placed["order"]
    assert order["status"] == "pending_payment"
    assert order["totals"] == {
        "subtotal": 10300,
        "discount": 0,
        "shipping_fee": 0,
        "total": 10300,
        "currency": "CNY",
    }
    assert inventory.levels(table, tea).pool.model_dump() == {"on_hand": 10, "reserved": 2, "available": 8}
    assert inventory.levels(table, cup).pool.model_dump() == {"on_hand": 5, "reserved": 1, "available": 4}
    stored = orders.get(table, order["id"])
    assert stored is not None and [line["reserved"] for line in stored["lines"]] == [2, 1]


def test_reserve_again_with_the_same_input_changes_nothing(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 10)
    checked = validate(step_input(order_request((tea, 3, 3900))), table)
    first = reserve(checked, table)
    second = reserve(checked, table)
    assert first == second
    assert inventory.levels(table, tea).pool.reserved == 3


def test_stock_taken_between_validate_and_reserve_refuses_the_whole_order(cloud: object) -> None:
    table = Table()
    tea, cup = stocked_product(table, 3), stocked_product(table, 3, price=1500)
    checked = validate(step_input(order_request((tea, 1, 3900), (cup, 3, 1500))), table)
    assert checked["ok"]
    place(table, order_request((cup, 2, 1500)), customer="cus_2")  # someone else is faster

    refused = reserve(checked, table)

    assert refused["ok"] is False
    assert refused["problem"]["code"] == "insufficient_stock"
    assert refused["problem"]["errors"] == [
        {
            "field": "items[1].quantity",
            "message": "only 1 available",
            "code": "insufficient_stock",
            "sku": cup,
            "available": 1,
        }
    ]
    assert orders.get(table, checked["draft"]["order_id"]) is None
    assert inventory.levels(table, tea).pool.reserved == 0  # all lines or none


def test_a_coupon_is_counted_once_per_order_and_its_limit_holds(cloud: object) -> None:
    from oms.domain.coupons import Coupon, CouponKind

    table = Table()
    tea = stocked_product(table, 10, price=10000)
    code = ids.new_id("c").upper().replace("_", "-")[:20]
    catalog.put_coupon(table, Coupon(code=code, kind=CouponKind.percent, value=10, total_limit=1))
    placed = place(table, order_request((tea, 1, 10000), coupon_code=code))
    assert placed["order"]["totals"]["discount"] == 1000
    second = validate(step_input(order_request((tea, 1, 10000), coupon_code=code), "cus_2"), table)
    assert second["ok"] is False
    assert second["problem"]["errors"][0]["reason"] == "exhausted"


def test_release_unpaid_cancels_overdue_orders_and_gives_stock_back(cloud: object) -> None:
    table = Table()
    tea = stocked_product(table, 10)
    overdue = place(table, order_request((tea, 4, 3900)))["order"]
    clock.advance(31 * 60)
    try:
        fresh = place(table, order_request((tea, 1, 3900)))["order"]
        result = release_unpaid.run(table)
    finally:
        clock.reset()
    assert result["released"] >= 1
    cancelled = orders.get(table, overdue["id"])
    assert cancelled is not None and cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "payment_timeout"
    assert [e["type"] for e in cancelled["timeline"]] == ["placed", "expire"]
    assert "timer_kind" not in cancelled
    still = orders.get(table, fresh["id"])
    assert still is not None and still["status"] == "pending_payment"
    assert inventory.levels(table, tea).pool.model_dump() == {"on_hand": 10, "reserved": 1, "available": 9}
    assert release_unpaid.run(table)["released"] == 0  # nothing twice
