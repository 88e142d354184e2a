"""A refusal's alternative settles the units it covers: accepted, they cannot be returned again; declined,
they are free for another request. A partial refund offered above what the units are worth is refused
at review, not when the buyer accepts."""

from __future__ import annotations

from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import delivered_order, ok, product
from tests.e2e.test_bad_input_http import problem
from tests.e2e.test_returns_http import ask, customer, get_return

PRICE = 12900


def review(stack: StackClient, return_id: str, **decision: Any) -> Any:
    return stack.request(
        "POST", f"/v1/admin/returns/{return_id}/review", json=decision, token=stack.admin_token()
    )


def refused_with(
    stack: StackClient, buyer: str, order: dict[str, Any], sku: str, units: int, **offer: Any
) -> str:
    item = ok(ask(stack, buyer, order, "size_fit", (sku, units)), 201)
    assert item["status"] == "under_review"
    ok(review(stack, item["id"], decision="reject", reason="worn once", **offer))
    return str(item["id"])


def returnable(stack: StackClient, buyer: str, order: dict[str, Any], sku: str) -> int:
    answer = ok(
        stack.request(
            "GET", f"/v1/orders/{order['id']}/return-eligibility", token=stack.customer_token(buyer)
        )
    )
    return int(next(i for i in answer["items"] if i["sku"] == sku)["returnable_quantity"])


def refunded(stack: StackClient, order: dict[str, Any]) -> int:
    return int(
        ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token()))["refunded"]
    )


def test_units_exchanged_cannot_be_returned_again(stack: StackClient) -> None:
    buyer, shirt = customer(), product(stack, 10, price=PRICE)
    order = delivered_order(stack, (shirt, 3, PRICE), customer=buyer)
    return_id = refused_with(stack, buyer, order, shirt, 2, alternative="exchange")
    assert returnable(stack, buyer, order, shirt) == 1  # held while the offer stands
    accepted = ok(
        stack.request(
            "POST", f"/v1/returns/{return_id}/accept-alternative", token=stack.customer_token(buyer)
        )
    )
    assert accepted["outcome"]["alternative"] == "exchange"
    assert returnable(stack, buyer, order, shirt) == 1
    again = ask(stack, buyer, order, "no_reason", (shirt, 2))
    body = problem(again, 422, "return_not_eligible")
    assert body["errors"][0]["code"] == "return_quantity_exceeded"
    assert body["errors"][0]["returnable_quantity"] == 1
    assert refunded(stack, order) == 0


def test_a_unit_partly_refunded_cannot_be_returned_again(stack: StackClient) -> None:
    buyer, shirt = customer(), product(stack, 10, price=PRICE)
    order = delivered_order(stack, (shirt, 1, PRICE), customer=buyer)
    return_id = refused_with(
        stack, buyer, order, shirt, 1, alternative="partial_refund", partial_refund_amount=5000
    )
    ok(
        stack.request(
            "POST", f"/v1/returns/{return_id}/accept-alternative", token=stack.customer_token(buyer)
        )
    )
    assert stack.idle()
    problem(ask(stack, buyer, order, "no_reason", (shirt, 1)), 422, "return_not_eligible")
    assert refunded(stack, order) == 5000


def test_declining_the_offer_frees_the_units(stack: StackClient) -> None:
    buyer, shirt = customer(), product(stack, 10, price=PRICE)
    order = delivered_order(stack, (shirt, 2, PRICE), customer=buyer)
    return_id = refused_with(stack, buyer, order, shirt, 2, alternative="repair")
    assert returnable(stack, buyer, order, shirt) == 0
    declined = ok(
        stack.request(
            "POST", f"/v1/returns/{return_id}/decline-alternative", token=stack.customer_token(buyer)
        )
    )
    assert (declined["status"], declined["outcome"]) == ("closed", {"declined": "repair"})
    assert returnable(stack, buyer, order, shirt) == 2
    # Declined once: neither answer can be given again.
    for action in ("accept-alternative", "decline-alternative"):
        again = stack.request("POST", f"/v1/returns/{return_id}/{action}", token=stack.customer_token(buyer))
        problem(again, 409, "invalid_transition")
    assert ok(ask(stack, buyer, order, "no_reason", (shirt, 2)), 201)["status"] == "awaiting_parcel"
    assert get_return(stack, buyer, return_id)["status"] == "closed"


def test_a_partial_refund_above_what_the_units_are_worth_is_refused_at_review(stack: StackClient) -> None:
    buyer, shirt = customer(), product(stack, 10, price=PRICE)
    order = delivered_order(stack, (shirt, 3, PRICE), customer=buyer)
    item = ok(ask(stack, buyer, order, "size_fit", (shirt, 1)), 201)
    too_much = review(
        stack,
        item["id"],
        decision="reject",
        reason="worn",
        alternative="partial_refund",
        partial_refund_amount=PRICE + 1,
    )
    body = problem(too_much, 422, "amount_too_large")
    assert body["errors"][0]["maximum"] == PRICE
    assert get_return(stack, buyer, item["id"])["status"] == "under_review"
    ok(
        review(
            stack,
            item["id"],
            decision="reject",
            reason="worn",
            alternative="partial_refund",
            partial_refund_amount=PRICE,
        )
    )
