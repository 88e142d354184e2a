"""Returns over HTTP: the stories of the specification's return rules, end to end."""

from __future__ import annotations

import uuid
from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import carrier_event, delivered_order, inventory, ok, product
from tests.e2e.test_order_workflow import execution

PHOTO = "https://img.example/crack.jpg"


def customer() -> str:
    return f"cus_{uuid.uuid4().hex[:8]}"


def ask(
    stack: StackClient,
    buyer: str,
    order: dict[str, Any],
    reason: str,
    *items: tuple[str, int],
    evidence: list[str] | None = None,
) -> Any:
    return stack.request(
        "POST",
        f"/v1/orders/{order['id']}/returns",
        token=stack.customer_token(buyer),
        json={
            "items": [{"sku": s, "quantity": q} for s, q in items],
            "reason": reason,
            "evidence": evidence or [],
        },
    )


def get_return(stack: StackClient, buyer: str, return_id: str) -> dict[str, Any]:
    return dict(ok(stack.request("GET", f"/v1/returns/{return_id}", token=stack.customer_token(buyer))))


def send_back(stack: StackClient, buyer: str, item: dict[str, Any]) -> None:
    tracking = f"RT{uuid.uuid4().hex[:10].upper()}"
    ok(
        stack.request(
            "POST",
            f"/v1/returns/{item['id']}/shipment",
            json={"carrier": "sf", "tracking_number": tracking},
            token=stack.customer_token(buyer),
        )
    )
    carrier_event(stack, tracking, "delivered", ok(stack.request("GET", "/_local/clock"))["now"])
    assert stack.idle()
    assert get_return(stack, buyer, item["id"])["status"] == "received"


def inspect(stack: StackClient, item: dict[str, Any], *lines: tuple[str, int, str]) -> dict[str, Any]:
    body = {"items": [{"sku": s, "quantity_received": q, "condition": c} for s, q, c in lines]}
    return dict(
        ok(
            stack.request(
                "POST", f"/v1/admin/returns/{item['id']}/inspection", json=body, token=stack.admin_token()
            )
        )
    )


def test_the_policy_is_published_and_shown_on_products(stack: StackClient) -> None:
    policy = ok(stack.request("GET", "/v1/return-policy", token=stack.customer_token()))
    assert policy["no_reason_window_days"] == 7
    assert {r["reason"] for r in policy["reasons"]} >= {"quality_issue", "no_reason", "size_fit"}
    tea = product(stack, 1, flags=["food"])
    shown = ok(stack.request("GET", f"/v1/products/{tea}", token=stack.customer_token()))
    assert shown["return_policy"]["returnable"] is False


def test_a_no_reason_return_within_seven_days(stack: StackClient) -> None:
    buyer = customer()
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    eligibility = ok(
        stack.request(
            "GET", f"/v1/orders/{order['id']}/return-eligibility", token=stack.customer_token(buyer)
        )
    )
    assert "no_reason" in [r["reason"] for r in eligibility["items"][0]["reasons"]]
    item = ok(ask(stack, buyer, order, "no_reason", (shirt, 1)), 201)
    assert item["status"] == "awaiting_parcel" and item["shipping_payer"] == "buyer"
    assert item["instructions"]["return_address"]
    assert stack.idle()
    told = [n for n in stack.notifications() if "退货申请已通过" in n["body"]]
    assert told, "the buyer is told the return is approved and when to send it"
    send_back(stack, buyer, item)
    before = inventory(stack, shirt)["on_hand"]
    assert inspect(stack, item, (shirt, 1, "resellable"))["status"] == "refund_pending"
    assert stack.idle()
    done = get_return(stack, buyer, item["id"])
    assert done["status"] == "refunded" and done["refund"]["amount"] == 12900
    assert inventory(stack, shirt)["on_hand"] == before + 1
    lifecycle = execution(stack, item["id"], "return-lifecycle")
    assert lifecycle["status"] == "SUCCEEDED"
    assert lifecycle["entered"][0] == "ReviewReturn" and lifecycle["entered"][-1] == "Settled"


def test_a_quality_return_with_evidence(stack: StackClient) -> None:
    buyer = customer()
    kettle = product(stack, 5, price=5000)
    order = delivered_order(stack, (kettle, 1, 5000), customer=buyer)
    item = ok(ask(stack, buyer, order, "quality_issue", (kettle, 1), evidence=[PHOTO]), 201)
    assert (item["status"], item["shipping_payer"]) == ("awaiting_parcel", "merchant")
    send_back(stack, buyer, item)
    inspect(stack, item, (kettle, 1, "damaged"))
    assert stack.idle()
    assert get_return(stack, buyer, item["id"])["refund"]["amount"] == 6000  # with the original shipping fee


def test_a_rejected_request_with_an_exchange_accepted(stack: StackClient) -> None:
    buyer = customer()
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    item = ok(ask(stack, buyer, order, "changed_mind", (shirt, 1)), 201)
    assert item["status"] == "under_review"
    queue = ok(stack.request("GET", "/v1/admin/review-queue", token=stack.admin_token()))
    assert item["id"] in [i["id"] for i in queue["items"] if i["kind"] == "return"]
    refused = stack.request(
        "POST",
        f"/v1/admin/returns/{item['id']}/review",
        token=stack.admin_token(),
        json={"decision": "reject", "reason": "worn"},
    )
    assert refused.status == 422 and refused.json()["code"] == "alternative_required"
    ok(
        stack.request(
            "POST",
            f"/v1/admin/returns/{item['id']}/review",
            token=stack.admin_token(),
            json={"decision": "reject", "reason": "worn", "alternative": "exchange"},
        )
    )
    reserved = inventory(stack, shirt)["reserved"]
    closed = ok(
        stack.request(
            "POST", f"/v1/returns/{item['id']}/accept-alternative", token=stack.customer_token(buyer)
        )
    )
    replacement = closed["outcome"]["replacement_order_id"]
    assert (
        ok(stack.request("GET", f"/v1/orders/{replacement}", token=stack.customer_token(buyer)))["status"]
        == "awaiting_fulfillment"
    )
    assert inventory(stack, shirt)["reserved"] == reserved + 1


def test_a_rejected_request_with_a_partial_refund_accepted(stack: StackClient) -> None:
    buyer = customer()
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    item = ok(ask(stack, buyer, order, "size_fit", (shirt, 1)), 201)
    ok(
        stack.request(
            "POST",
            f"/v1/admin/returns/{item['id']}/review",
            token=stack.admin_token(),
            json={
                "decision": "reject",
                "reason": "fits",
                "alternative": "partial_refund",
                "partial_refund_amount": 1500,
            },
        )
    )
    ok(
        stack.request(
            "POST", f"/v1/returns/{item['id']}/accept-alternative", token=stack.customer_token(buyer)
        )
    )
    assert stack.idle()
    final = ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token()))
    assert final["refunded"] == 1500 and [r["status"] for r in final["refunds"]] == ["succeeded"]


def test_a_return_inspected_as_not_original(stack: StackClient) -> None:
    buyer = customer()
    watch = product(stack, 5, price=20000)
    order = delivered_order(stack, (watch, 1, 20000), customer=buyer)
    item = ok(ask(stack, buyer, order, "no_reason", (watch, 1)), 201)
    send_back(stack, buyer, item)
    before = inventory(stack, watch)["on_hand"]
    closed = inspect(stack, item, (watch, 1, "not_original"))
    assert closed["status"] == "closed"
    assert closed["inspection"]["disputed"] == [{"sku": watch, "condition": "not_original", "quantity": 1}]
    assert inventory(stack, watch)["on_hand"] == before
    assert (
        ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token()))["refunded"]
        == 0
    )


def test_an_excluded_product_is_refused_with_alternatives(stack: StackClient) -> None:
    buyer = customer()
    tea = product(stack, 5, flags=["food"])
    order = delivered_order(stack, (tea, 1, 3900), customer=buyer)
    answer = ask(stack, buyer, order, "no_reason", (tea, 1))
    assert answer.status == 422 and answer.content_type == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "return_not_eligible"
    assert problem["errors"][0]["code"] == "excluded_product"
    assert problem["alternatives"] == ["partial_refund"]


def test_a_return_after_the_window(stack: StackClient) -> None:
    buyer = customer()
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    stack.advance(8 * 24 * 3600)
    answer = ask(stack, buyer, order, "no_reason", (shirt, 1))
    assert answer.status == 422
    assert answer.json()["errors"][0]["code"] == "window_expired"


def test_another_customers_return_is_not_found(stack: StackClient) -> None:
    buyer = customer()
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    item = ok(ask(stack, buyer, order, "no_reason", (shirt, 1)), 201)
    assert (
        stack.request("GET", f"/v1/returns/{item['id']}", token=stack.customer_token("cus_nosy")).status
        == 404
    )
    assert ask(stack, "cus_nosy", order, "no_reason", (shirt, 1)).status == 404


def test_a_refused_request_does_not_hold_its_idempotency_key(stack: StackClient) -> None:
    buyer = customer()
    shirt = product(stack, 5, price=12900)
    order = delivered_order(stack, (shirt, 1, 12900), customer=buyer)
    path, key = f"/v1/orders/{order['id']}/returns", {"Idempotency-Key": f"ret-{order['id']}"}

    def ask_with_key(quantity: int) -> Any:
        body = {"items": [{"sku": shirt, "quantity": quantity}], "reason": "no_reason"}
        return stack.request("POST", path, json=body, token=stack.customer_token(buyer), headers=key)

    refused = ask_with_key(2)  # more than was bought
    assert refused.status == 422 and refused.json()["code"] == "return_not_eligible"
    corrected = ask_with_key(1)  # the same key, the request put right: not "key reused"
    assert corrected.status == 201, corrected.text
    again = ask_with_key(1)
    assert again.status == 201 and again.json()["id"] == corrected.json()["id"]
