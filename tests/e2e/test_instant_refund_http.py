"""Instant refund for trusted buyers (极速退款) over HTTP: the refund starts at the return parcel's first
carrier scan; an inspection that finds the wrong item opens a dispute and an exception for finance, and the
buyer's next return waits for inspection. A buyer without the record waits from the start."""

from __future__ import annotations

from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import carrier_event, delivered_order, inventory, ok, product
from tests.e2e.test_returns_http import ask, customer, get_return, inspect

ADMIN_ORDER = "/v1/admin/orders/{}"


def now(stack: StackClient) -> str:
    return str(ok(stack.request("GET", "/_local/clock"))["now"])


def completed_orders(stack: StackClient, buyer: str, count: int) -> None:
    """``count`` orders delivered and confirmed by the buyer: a record the policy trusts."""
    for _ in range(count):
        order = delivered_order(stack, (product(stack, 2, price=1000), 1, 1000), customer=buyer)
        path = f"/v1/orders/{order['id']}/confirm-receipt"
        assert ok(stack.request("POST", path, token=stack.customer_token(buyer)))["status"] == "completed"


def hand_to_carrier(stack: StackClient, buyer: str, item: dict[str, Any]) -> str:
    tracking = f"RT{item['id'][-10:].upper()}"
    path = f"/v1/returns/{item['id']}/shipment"
    body = {"carrier": "sf", "tracking_number": tracking}
    ok(stack.request("POST", path, json=body, token=stack.customer_token(buyer)))
    carrier_event(stack, tracking, "in_transit", now(stack))
    assert stack.idle()
    return tracking


def order_of(stack: StackClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.request("GET", ADMIN_ORDER.format(order["id"]), token=stack.admin_token())))


def test_a_trusted_buyer_is_refunded_at_the_first_scan_and_a_wrong_item_opens_a_dispute(
    stack: StackClient,
) -> None:
    policy = ok(stack.request("GET", "/v1/return-policy", token=stack.customer_token()))["instant_refund"]
    assert policy["min_completed_orders"] == 3 and policy["max_disputed_returns"] == 0
    buyer = customer()
    completed_orders(stack, buyer, 4)
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    item = ok(ask(stack, buyer, order, "no_reason", (shirt, 1)), 201)

    tracking = hand_to_carrier(stack, buyer, item)
    scanned = get_return(stack, buyer, item["id"])
    assert scanned["status"] == "in_transit"  # the parcel is still on its way
    assert scanned["instant_refund"]["status"] == "issued" and scanned["instant_refund"]["amount"] == 12900
    paid = order_of(stack, order)
    assert paid["refunded"] == 12900 and [r["status"] for r in paid["refunds"]] == ["succeeded"]
    carrier_event(stack, tracking, "out_for_delivery", now(stack))  # another scan decides nothing again
    assert stack.idle()
    assert order_of(stack, order)["refunded"] == 12900

    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()
    before = inventory(stack, shirt)["on_hand"]
    inspected = inspect(stack, item, (shirt, 1, "not_original"))
    assert inspected["status"] == "closed"
    outcome = inspected["outcome"]
    assert (outcome["refund"], outcome["owed"], outcome["shortfall"]) == (12900, 0, 12900)
    assert outcome["trust_lowered"] is True
    assert inventory(stack, shirt)["on_hand"] == before  # the wrong item is not stock
    assert stack.idle()
    final = order_of(stack, order)
    assert final["refunded"] == 12900 and len(final["refunds"]) == 1  # nothing paid twice
    (exception,) = [e for e in final["exceptions"] if e["kind"] == "instant_refund_disputed"]
    assert exception["status"] == "open" and exception["owner"] == "finance"
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("退回商品与退货申请不符" in body for body in told), told  # the buyer hears why

    # Trust lowered: the buyer's next return waits for inspection.
    again = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    second = ok(ask(stack, buyer, again, "no_reason", (shirt, 1)), 201)
    hand_to_carrier(stack, buyer, second)
    waiting = get_return(stack, buyer, second["id"])
    assert waiting["instant_refund"] == {
        "status": "declined",
        "reason": "disputed_returns_on_record",
        "at": waiting["instant_refund"]["at"],
    }
    assert order_of(stack, again)["refunded"] == 0


def test_a_buyer_without_the_record_waits_for_inspection_and_is_refunded_once(stack: StackClient) -> None:
    buyer = customer()
    kettle = product(stack, 5, price=5000)
    order = delivered_order(stack, (kettle, 1, 5000), customer=buyer)
    item = ok(ask(stack, buyer, order, "no_reason", (kettle, 1)), 201)
    tracking = hand_to_carrier(stack, buyer, item)
    assert get_return(stack, buyer, item["id"])["instant_refund"]["reason"] == "too_few_completed_orders"
    assert order_of(stack, order)["refunded"] == 0

    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()
    assert inspect(stack, item, (kettle, 1, "resellable"))["status"] == "refund_pending"
    assert stack.idle()
    done = get_return(stack, buyer, item["id"])
    assert done["status"] == "refunded" and done["refund"]["amount"] == 5000
    assert order_of(stack, order)["refunded"] == 5000
