"""Refund only (仅退款) over HTTP: a parcel lost by the carrier is refunded at once; a parcel still on its way
is intercepted and refunded when it is back (or decided by staff when the carrier delivers it after all);
delivered goods the buyer keeps earn the partial refund staff accept or counter. Stock and money balance
after each."""

from __future__ import annotations

from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import (
    carrier_event,
    delivered_order,
    inventory,
    ok,
    order_body,
    pay,
    place,
    product,
    ship,
)
from tests.e2e.test_instant_refund_http import now, order_of
from tests.e2e.test_returns_http import customer, get_return


def refund_only(
    stack: StackClient, buyer: str, order: dict[str, Any], sku: str, quantity: int, **fields: Any
) -> Any:
    body = {
        "type": "refund_only",
        "items": [{"sku": sku, "quantity": quantity}],
        "reason": fields.pop("reason", "changed_mind"),
        **fields,
    }
    return stack.request(
        "POST", f"/v1/orders/{order['id']}/returns", json=body, token=stack.customer_token(buyer)
    )


def review(stack: StackClient, return_id: str, **decision: Any) -> Any:
    path = f"/v1/admin/returns/{return_id}/review"
    return ok(stack.request("POST", path, json=decision, token=stack.admin_token()))


def shipped_order(stack: StackClient, buyer: str, sku: str, price: int) -> tuple[dict[str, Any], str]:
    """Placed, paid and handed to the carrier, who scanned it on its way."""
    order = ok(place(stack, order_body((sku, 1, price)), buyer), 201)
    pay(stack, order)
    tracking = ship(stack, order)
    carrier_event(stack, tracking, "in_transit", now(stack))
    assert stack.idle()
    return order, tracking


def returns_of(stack: StackClient, buyer: str) -> list[dict[str, Any]]:
    return list(ok(stack.request("GET", "/v1/returns", token=stack.customer_token(buyer)))["items"])


def refund_only_report(stack: StackClient) -> dict[str, int]:
    today = now(stack)[:10]
    path = f"/v1/admin/reports/returns?from={today}&to={today}"
    return dict(ok(stack.request("GET", path, token=stack.admin_token()))["refund_only"])


def test_a_parcel_lost_in_transit_is_refunded_at_once(stack: StackClient) -> None:
    buyer = customer()
    reported = refund_only_report(stack)
    lamp = product(stack, 3, price=25900)
    order, tracking = shipped_order(stack, buyer, lamp, 25900)
    carrier_event(stack, tracking, "lost", now(stack))
    assert stack.idle()
    on_hand = inventory(stack, lamp)["on_hand"]

    item = ok(refund_only(stack, buyer, order, lamp, 1, reason="missing_parts"), 201)
    assert item["type"] == "refund_only" and item["route"] == "lost"
    assert stack.idle()
    refunded = get_return(stack, buyer, item["id"])
    assert refunded["status"] == "refunded"
    final = order_of(stack, order)
    assert final["refunded"] == final["totals"]["total"]  # the goods and their shipping: nothing arrived
    assert [r["reason"] for r in final["refunds"]] == ["refund_only"]
    assert [r["status"] for r in final["refunds"]] == ["succeeded"]
    assert inventory(stack, lamp)["on_hand"] == on_hand  # lost goods do not come back to stock
    after = refund_only_report(stack)
    assert after["refunds"] == reported["refunds"] + 1
    assert after["amount"] == reported["amount"] + final["refunded"]
    again = refund_only(stack, buyer, order, lamp, 1, reason="missing_parts")
    assert again.status == 422  # nothing left to ask back
    assert order_of(stack, order)["refunded"] == final["refunded"]


def test_an_intercepted_parcel_is_refunded_when_it_is_back(stack: StackClient) -> None:
    buyer = customer()
    kettle = product(stack, 3, price=8900)
    order, tracking = shipped_order(stack, buyer, kettle, 8900)
    stock = inventory(stack, kettle)

    item = ok(refund_only(stack, buyer, order, kettle, 1), 201)
    assert item["status"] == "intercepting" and item["route"] == "intercept"
    assert item["interception"]["status"] == "requested"
    assert stack.idle()
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("拦截" in body for body in told), told
    assert order_of(stack, order)["refunded"] == 0  # not before the parcel is back

    carrier_event(stack, tracking, "returned_to_sender", now(stack))
    assert stack.idle()
    assert get_return(stack, buyer, item["id"])["status"] == "refunded"
    final = order_of(stack, order)
    assert final["refunded"] == final["totals"]["total"]
    assert len(final["refunds"]) == 1
    assert not [e for e in final["exceptions"] if e["kind"] == "refused"]  # we asked for it back
    assert inventory(stack, kettle)["on_hand"] == stock["on_hand"] + 1  # back on the shelf
    carrier_event(stack, tracking, "returned_to_sender", now(stack))  # told twice: refunded once
    assert stack.idle()
    assert len(order_of(stack, order)["refunds"]) == 1
    assert inventory(stack, kettle)["on_hand"] == stock["on_hand"] + 1


def test_an_interception_that_fails_is_decided_by_staff(stack: StackClient) -> None:
    buyer = customer()
    mixer = product(stack, 3, price=45900)
    order, tracking = shipped_order(stack, buyer, mixer, 45900)
    item = ok(refund_only(stack, buyer, order, mixer, 1), 201)
    assert item["status"] == "intercepting"

    carrier_event(stack, tracking, "delivered", now(stack))  # too late: the courier delivered it
    assert stack.idle()
    held = get_return(stack, buyer, item["id"])
    assert held["status"] == "under_review" and held["interception"]["status"] == "failed"
    queue = ok(stack.request("GET", "/v1/admin/review-queue", token=stack.admin_token()))
    assert item["id"] in [i["id"] for i in queue["items"] if i["kind"] == "return"]
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("未能拦截" in body for body in told), told
    assert order_of(stack, order)["refunded"] == 0

    decided = review(stack, item["id"], decision="approve", reason="the buyer refused the parcel at the door")
    assert decided["status"] in ("refund_pending", "refunded")
    assert stack.idle()
    assert get_return(stack, buyer, item["id"])["status"] == "refunded"
    final = order_of(stack, order)
    assert final["refunded"] == final["totals"]["total"] and len(final["refunds"]) == 1


def test_a_parcel_out_for_delivery_cannot_be_stopped(stack: StackClient) -> None:
    buyer = customer()
    fan = product(stack, 3, price=15900)
    order, tracking = shipped_order(stack, buyer, fan, 15900)
    carrier_event(stack, tracking, "out_for_delivery", now(stack))
    assert stack.idle()
    refused = refund_only(stack, buyer, order, fan, 1)
    assert refused.status == 409 and refused.json()["code"] == "parcel_not_interceptable"
    assert refused.content_type.startswith("application/problem+json")
    assert returns_of(stack, buyer) == []


def test_kept_goods_earn_the_partial_refund_staff_accept_or_counter(stack: StackClient) -> None:
    buyer = customer()
    coat = product(stack, 5, price=39900)
    order = delivered_order(stack, (coat, 1, 39900), customer=buyer)
    asked = ok(refund_only(stack, buyer, order, coat, 1, reason="quality_issue", requested_amount=8000), 201)
    assert asked["status"] == "under_review" and asked["route"] == "kept"
    # The shop counters with less: the buyer takes it.
    review(
        stack,
        asked["id"],
        decision="reject",
        reason="a loose button",
        alternative="partial_refund",
        partial_refund_amount=5000,
    )
    path = f"/v1/returns/{asked['id']}/accept-alternative"
    ok(stack.request("POST", path, token=stack.customer_token(buyer)))
    assert stack.idle()
    assert order_of(stack, order)["refunded"] == 5000

    other = delivered_order(stack, (coat, 1, 39900), customer=buyer)
    accepted = ok(
        refund_only(stack, buyer, other, coat, 1, reason="quality_issue", requested_amount=3000), 201
    )
    review(stack, accepted["id"], decision="approve", reason="fair")
    assert stack.idle()
    assert get_return(stack, buyer, accepted["id"])["status"] == "refunded"
    final = order_of(stack, other)
    assert final["refunded"] == 3000 and final["status"] == "delivered"  # the goods stay with the buyer


def test_an_order_not_shipped_yet_is_cancelled_and_refunded(stack: StackClient) -> None:
    buyer = customer()
    tent = product(stack, 4, price=32900)
    order = ok(place(stack, order_body((tent, 2, 32900)), buyer), 201)
    pay(stack, order)
    assert stack.idle()
    held = inventory(stack, tent)["reserved"]
    key = {"Idempotency-Key": f"ro-{order['id']}"}
    body = {"type": "refund_only", "items": [{"sku": tent, "quantity": 2}], "reason": "changed_mind"}
    path = f"/v1/orders/{order['id']}/returns"
    item = ok(stack.request("POST", path, json=body, token=stack.customer_token(buyer), headers=key), 201)
    assert (item["route"], item["status"], item["outcome"]["order_cancelled"]) == (
        "not_shipped",
        "closed",
        True,
    )
    again = ok(stack.request("POST", path, json=body, token=stack.customer_token(buyer), headers=key), 201)
    assert again["id"] == item["id"]  # the same request again: the same answer, nothing more
    assert stack.idle()
    final = order_of(stack, order)
    assert final["status"] == "cancelled" and final["refunded"] == final["totals"]["total"]
    assert [r["id"] for r in final["refunds"]] == [item["outcome"]["refund_id"]]
    assert inventory(stack, tent)["reserved"] == held - 2  # the stock is free again
    assert [r["id"] for r in returns_of(stack, buyer)] == [item["id"]]


def test_refund_only_requests_that_cannot_go_change_nothing(stack: StackClient) -> None:
    buyer = customer()
    vase, bowl = product(stack, 5, price=6900), product(stack, 5, price=2900)
    unshipped = ok(place(stack, order_body((vase, 1, 6900), (bowl, 1, 2900)), buyer), 201)
    pay(stack, unshipped)
    answer = refund_only(stack, buyer, unshipped, vase, 1)  # part of an order not shipped: edit it
    assert answer.status == 409 and answer.json()["code"] == "cancel_instead"

    delivered = delivered_order(stack, (vase, 1, 6900), customer=buyer)
    cases = [
        (refund_only(stack, buyer, delivered, vase, 1), 422, "amount_required"),
        (refund_only(stack, buyer, delivered, vase, 1, requested_amount=999999), 422, "amount_too_large"),
    ]
    plain = {"items": [{"sku": vase, "quantity": 1}], "reason": "no_reason", "requested_amount": 100}
    path = f"/v1/orders/{delivered['id']}/returns"
    cases.append((stack.request("POST", path, json=plain, token=stack.customer_token(buyer)), 422, None))
    for response, status, code in cases:
        assert response.status == status, response.text
        assert response.content_type.startswith("application/problem+json")
        if code:
            assert response.json()["code"] == code
    assert returns_of(stack, buyer) == []
    assert order_of(stack, delivered)["refunded"] == 0 and order_of(stack, unshipped)["refunded"] == 0
