"""Exchanges (换货) over HTTP: the buyer names what they want instead; the replacement's stock is reserved at
approval; a price difference is paid by its due time (else the exchange is cancelled and the stock goes
back) or refunded once the parcel passed inspection; the replacement ships at the parcel's first carrier
scan, or at once for a buyer the policy trusts. Stock and money balance after each story."""

from __future__ import annotations

from typing import Any

from oms_local.testing import Response, StackClient

from tests.e2e.shop import carrier_event, delivered_order, inventory, ok, payment, product, ship
from tests.e2e.test_instant_refund_http import completed_orders, hand_to_carrier, now, order_of
from tests.e2e.test_returns_http import customer, get_return, inspect


def exchange(
    stack: StackClient,
    buyer: str,
    order: dict[str, Any],
    reason: str,
    *lines: tuple[str, int, str],
    **body: Any,
) -> Response:
    """Ask to exchange ``quantity`` of ``sku`` for ``replacement_sku``, per line."""
    return stack.request(
        "POST",
        f"/v1/orders/{order['id']}/returns",
        token=stack.customer_token(buyer),
        json={
            "type": "exchange",
            "items": [{"sku": sku, "quantity": quantity} for sku, quantity, _ in lines],
            "exchange": [
                {"sku": sku, "quantity": quantity, "replacement_sku": replacement}
                for sku, quantity, replacement in lines
            ],
            "reason": reason,
            **body,
        },
    )


def exchanges_report(stack: StackClient) -> dict[str, int]:
    today = now(stack)[:10]
    path = f"/v1/admin/reports/returns?from={today}&to={today}"
    return dict(ok(stack.request("GET", path, token=stack.admin_token()))["exchanges"])


def stock(stack: StackClient, *skus: str) -> list[tuple[int, int]]:
    """(on hand, reserved) of each SKU."""
    return [(level["on_hand"], level["reserved"]) for level in (inventory(stack, sku) for sku in skus)]


def in_pick_queue(stack: StackClient, order_id: str) -> bool:
    queue = ok(stack.request("GET", "/v1/admin/fulfillment-queue", token=stack.admin_token()))
    return order_id in [i["id"] for i in queue["items"]]


def money(order: dict[str, Any]) -> tuple[int, int]:
    return order["captured"], order["refunded"]


def test_an_exchange_for_a_dearer_variant_is_paid_and_ships_at_the_first_scan(stack: StackClient) -> None:
    buyer = customer()
    medium, large = product(stack, 5, price=10000), product(stack, 5, price=12000)
    order = delivered_order(stack, (medium, 1, 10000), customer=buyer)
    assert stock(stack, medium, large) == [(4, 0), (5, 0)]

    item = ok(exchange(stack, buyer, order, "no_reason", (medium, 1, large)), 201)
    assert (item["type"], item["status"]) == ("exchange", "awaiting_parcel")  # approved by the rules
    swap = item["exchange"]
    assert (swap["difference"], swap["state"], swap["ships"]) == (2000, "approved", "at_first_scan")
    assert swap["lines"][0]["credit"] == 10000 and swap["lines"][0]["unit_price"] == 12000
    assert stock(stack, medium, large) == [(4, 0), (5, 1)]  # the replacement is reserved
    replacement = order_of(stack, {"id": swap["replacement_order_id"]})
    assert (replacement["status"], replacement["totals"]["total"]) == ("pending_payment", 2000)
    assert replacement["payment_due_at"] == swap["payment_due_at"]

    assert ok(payment(stack, replacement, 2000))["outcome"] == "paid"
    paid = order_of(stack, replacement)
    assert (paid["status"], money(paid)) == ("awaiting_fulfillment", (2000, 0))
    assert not in_pick_queue(stack, replacement["id"])  # it waits for the return parcel

    tracking = hand_to_carrier(stack, buyer, item)
    assert get_return(stack, buyer, item["id"])["exchange"]["state"] == "released"
    assert in_pick_queue(stack, replacement["id"])
    assert "instant_refund" not in get_return(stack, buyer, item["id"])  # nothing refunded at the scan
    ship(stack, replacement)
    assert stock(stack, medium, large) == [(4, 0), (4, 0)]

    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()
    inspected = inspect(stack, item, (medium, 1, "resellable"))
    assert (inspected["status"], inspected["outcome"]["refund"]) == ("closed", 0)
    assert stack.idle()
    assert stock(stack, medium, large) == [(5, 0), (4, 0)]  # the returned unit is back on the shelf
    assert money(order_of(stack, order)) == (10000, 0)  # the goods were exchanged, not refunded
    assert money(order_of(stack, replacement)) == (2000, 0)  # the difference, paid once
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("换货申请已通过" in body for body in told), told  # the buyer hears of each step
    assert any("换货商品已安排发货" in body for body in told), told


def test_an_exchange_for_a_cheaper_product_refunds_the_difference_once_after_inspection(
    stack: StackClient,
) -> None:
    buyer = customer()
    completed_orders(stack, buyer, 4)  # a buyer the instant-refund policy trusts
    shirt, mug = product(stack, 5, price=10000), product(stack, 5, price=6000)
    order = delivered_order(stack, (shirt, 1, 10000), customer=buyer)
    reported = exchanges_report(stack)

    item = ok(exchange(stack, buyer, order, "size_fit", (shirt, 1, mug)), 201)
    assert item["status"] == "under_review"  # a size exchange is a person's call
    assert stock(stack, mug) == [(5, 0)]  # nothing reserved before the approval
    path = f"/v1/admin/returns/{item['id']}/review"
    decision = {"decision": "approve", "reason": "in stock"}
    approved = ok(stack.request("POST", path, json=decision, token=stack.admin_token()))
    swap = approved["exchange"]
    assert (swap["difference"], swap["ships"], swap["state"]) == (-4000, "at_approval", "approved")
    assert "payment_due_at" not in swap
    replacement = order_of(stack, {"id": swap["replacement_order_id"]})
    assert (replacement["status"], replacement["totals"]["total"]) == ("awaiting_fulfillment", 0)
    assert in_pick_queue(stack, replacement["id"])  # trusted: it ships before the parcel is back
    assert stock(stack, mug) == [(5, 1)]
    ship(stack, replacement)
    assert money(order_of(stack, order)) == (10000, 0)  # the difference waits for the inspection
    withdrawn = stack.request("POST", f"/v1/returns/{item['id']}/cancel", token=stack.customer_token(buyer))
    assert (
        withdrawn.status == 409 and withdrawn.json()["code"] == "exchange_shipped"
    )  # the goods must come back
    assert get_return(stack, buyer, item["id"])["status"] == "awaiting_parcel"

    tracking = hand_to_carrier(stack, buyer, item)
    assert "instant_refund" not in get_return(stack, buyer, item["id"])  # an exchange is not refunded
    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()
    inspected = inspect(stack, item, (shirt, 1, "resellable"))
    assert inspected["inspection"]["refund_amount"] == 4000
    assert stack.idle()
    again = stack.request(
        "POST",
        f"/v1/admin/returns/{item['id']}/inspection",
        json={"items": [{"sku": shirt, "quantity_received": 1, "condition": "resellable"}]},
        token=stack.admin_token(),
    )
    assert again.status in (200, 409), again.text
    assert stack.idle()

    final = order_of(stack, order)
    assert money(final) == (10000, 4000)
    assert [(r["amount"], r["reason"], r["status"]) for r in final["refunds"]] == [
        (4000, "exchange_difference", "succeeded")
    ]
    assert get_return(stack, buyer, item["id"])["status"] == "refunded"
    assert stock(stack, shirt, mug) == [(5, 0), (4, 0)]
    after = exchanges_report(stack)
    assert (after["approved"], after["differences_refunded"], after["amount_refunded"]) == (
        reported["approved"] + 1,
        reported["differences_refunded"] + 1,
        reported["amount_refunded"] + 4000,
    )


def test_the_wrong_item_sent_back_for_a_cheaper_exchange_is_disputed_and_nothing_refunded(
    stack: StackClient,
) -> None:
    buyer = customer()
    shirt, mug = product(stack, 5, price=10000), product(stack, 5, price=6000)
    order = delivered_order(stack, (shirt, 1, 10000), customer=buyer)
    item = ok(exchange(stack, buyer, order, "no_reason", (shirt, 1, mug)), 201)
    assert item["exchange"]["difference"] == -4000
    tracking = hand_to_carrier(stack, buyer, item)
    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()

    def disputes() -> int:  # the buyer is told (the text message names no order)
        return sum("退货检验有异议" in n.get("body", "") for n in stack.notifications())

    before = disputes()
    inspected = inspect(stack, item, (shirt, 1, "not_original"))
    assert inspected["status"] == "closed"
    assert inspected["inspection"]["disputed"] == [{"sku": shirt, "condition": "not_original", "quantity": 1}]
    assert stack.idle()
    assert money(order_of(stack, order)) == (10000, 0)  # no difference paid out on the wrong goods
    assert stock(stack, shirt) == [(4, 0)]  # and the wrong item is not stock
    assert disputes() > before


def test_an_exchange_whose_difference_is_not_paid_in_time_is_cancelled(stack: StackClient) -> None:
    buyer = customer()
    tea, pot = product(stack, 5, price=3900), product(stack, 2, price=9900)
    order = delivered_order(stack, (tea, 2, 3900), customer=buyer)
    item = ok(exchange(stack, buyer, order, "no_reason", (tea, 1, pot)), 201)
    swap = item["exchange"]
    assert swap["difference"] == 9900 - 3900
    assert stock(stack, pot) == [(2, 1)]

    stack.advance(23 * 3600)
    assert ok(stack.run_schedule("release-unpaid"))
    assert stock(stack, pot) == [(2, 1)]  # not due yet
    stack.advance(2 * 3600)
    assert ok(stack.run_schedule("release-unpaid"))
    assert stack.idle()

    replacement = order_of(stack, {"id": swap["replacement_order_id"]})
    assert (replacement["status"], replacement["cancel_reason"]) == ("cancelled", "payment_timeout")
    cancelled = get_return(stack, buyer, item["id"])
    assert (cancelled["status"], cancelled["exchange"]["state"]) == ("cancelled", "cancelled")
    assert stock(stack, tea, pot) == [(3, 0), (2, 0)]  # the replacement's unit is free again
    assert money(order_of(stack, order)) == (order["totals"]["total"], 0)  # nothing refunded
    eligibility = ok(
        stack.request(
            "GET", f"/v1/orders/{order['id']}/return-eligibility", token=stack.customer_token(buyer)
        )
    )
    assert eligibility["items"][0]["returnable_quantity"] == 2  # the units may be asked back again
    late = ok(payment(stack, replacement, 6000))  # too late: given back
    assert late["outcome"] == "refunded"
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("换货已取消" in body for body in told), told


def test_an_unpaid_exchange_whose_parcel_is_on_its_way_goes_on_as_a_return(stack: StackClient) -> None:
    buyer = customer()
    tea, pot = product(stack, 5, price=3900), product(stack, 2, price=9900)
    order = delivered_order(stack, (tea, 2, 3900), customer=buyer)
    item = ok(exchange(stack, buyer, order, "no_reason", (tea, 1, pot)), 201)
    tracking = hand_to_carrier(stack, buyer, item)  # sent back, the difference never paid

    stack.advance(25 * 3600)
    assert ok(stack.run_schedule("release-unpaid"))
    assert stack.idle()
    assert order_of(stack, {"id": item["exchange"]["replacement_order_id"]})["status"] == "cancelled"
    going_on = get_return(stack, buyer, item["id"])
    assert (going_on["status"], going_on["exchange"]["state"]) == ("in_transit", "cancelled")
    assert stock(stack, pot) == [(2, 0)]

    carrier_event(stack, tracking, "delivered", now(stack))
    assert stack.idle()
    inspected = inspect(stack, item, (tea, 1, "resellable"))
    assert inspected["inspection"]["refund_amount"] == 3900  # refunded as the return it became
    assert stack.idle()
    final = order_of(stack, order)
    assert [(r["amount"], r["reason"]) for r in final["refunds"]] == [(3900, "return")]
    assert stock(stack, tea, pot) == [(4, 0), (2, 0)]


def test_an_exchange_withdrawn_by_the_buyer_gives_back_the_replacement_and_its_payment(
    stack: StackClient,
) -> None:
    buyer = customer()
    tea, pot = product(stack, 5, price=3900), product(stack, 2, price=9900)
    order = delivered_order(stack, (tea, 2, 3900), customer=buyer)
    item = ok(exchange(stack, buyer, order, "no_reason", (tea, 1, pot)), 201)
    replacement = order_of(stack, {"id": item["exchange"]["replacement_order_id"]})
    assert ok(payment(stack, replacement, 6000))["outcome"] == "paid"
    assert stock(stack, pot) == [(2, 1)]
    token = stack.customer_token(buyer)
    on_its_own = stack.request("POST", f"/v1/orders/{replacement['id']}/cancel", token=token)
    assert on_its_own.status == 409 and on_its_own.json()["code"] == "replacement_not_cancellable"
    edit = {"lines": [{"sku": pot, "quantity": 2}]}
    edited = stack.request("POST", f"/v1/orders/{replacement['id']}/edits", json=edit, token=token)
    assert edited.status == 409 and edited.json()["code"] == "replacement_not_editable"

    path = f"/v1/returns/{item['id']}/cancel"
    cancelled = ok(stack.request("POST", path, token=stack.customer_token(buyer)))
    assert (cancelled["status"], cancelled["exchange"]["state"]) == ("cancelled", "cancelled")
    assert stack.idle()
    withdrawn = order_of(stack, replacement)
    assert (withdrawn["status"], withdrawn["cancel_reason"]) == ("cancelled", "exchange_withdrawn")
    assert money(withdrawn) == (6000, 6000)  # the difference paid is given back
    assert stock(stack, tea, pot) == [(3, 0), (2, 0)]
    assert money(order_of(stack, order)) == (order["totals"]["total"], 0)


def test_an_exchange_never_sent_back_lapses_and_gives_back_the_replacement(stack: StackClient) -> None:
    buyer = customer()
    tea, pot = product(stack, 5, price=3900), product(stack, 2, price=9900)
    order = delivered_order(stack, (tea, 2, 3900), customer=buyer)
    item = ok(exchange(stack, buyer, order, "no_reason", (tea, 1, pot)), 201)
    replacement = order_of(stack, {"id": item["exchange"]["replacement_order_id"]})
    assert ok(payment(stack, replacement, 6000))["outcome"] == "paid"

    stack.advance(7 * 24 * 3600 + 3600)  # past the week the buyer had to send the parcel
    assert ok(stack.run_schedule("return-lapse"))
    assert stack.idle()
    lapsed = get_return(stack, buyer, item["id"])
    assert (lapsed["status"], lapsed["exchange"]["state"]) == ("lapsed", "cancelled")
    withdrawn = order_of(stack, replacement)
    assert (withdrawn["status"], money(withdrawn)) == ("cancelled", (6000, 6000))
    assert stock(stack, tea, pot) == [(3, 0), (2, 0)]


def test_a_trusted_buyers_exchange_never_sent_back_is_handed_to_staff(stack: StackClient) -> None:
    buyer = customer()
    completed_orders(stack, buyer, 4)  # trusted: the replacement leaves before the parcel is back
    cap, hat = product(stack, 5, price=5000), product(stack, 5, price=5000)
    order = delivered_order(stack, (cap, 1, 5000), customer=buyer)
    item = ok(exchange(stack, buyer, order, "no_reason", (cap, 1, hat)), 201)
    assert item["exchange"]["ships"] == "at_approval"
    ship(stack, order_of(stack, {"id": item["exchange"]["replacement_order_id"]}))

    stack.advance(7 * 24 * 3600 + 3600)  # past the week the buyer had to send the parcel
    assert ok(stack.run_schedule("return-lapse"))
    assert stack.idle()
    lapsed = get_return(stack, buyer, item["id"])
    assert (lapsed["status"], lapsed["exchange"]["state"]) == ("lapsed", "unreturned")
    opened = [e for e in order_of(stack, order)["exceptions"] if e["kind"] == "exchange_unreturned"]
    assert [(e["status"], e["owner"]) for e in opened] == [("open", "returns")]
    assert ok(stack.run_schedule("return-lapse"))  # run again: nothing opened twice
    assert stack.idle()
    kinds = [e["kind"] for e in order_of(stack, order)["exceptions"]]
    assert kinds.count("exchange_unreturned") == 1
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("换货商品未寄回" in body for body in told), told  # the buyer hears what is expected


def test_a_bad_exchange_is_refused_and_changes_nothing(stack: StackClient) -> None:
    buyer = customer()
    shirt, mug = product(stack, 5, price=10000), product(stack, 0, price=6000)
    order = delivered_order(stack, (shirt, 1, 10000), customer=buyer)
    before = order_of(stack, order)

    def refused(answer: Response, status: int = 422) -> str:
        assert answer.status == status, answer.text
        assert answer.content_type == "application/problem+json"
        return str(answer.json()["code"])

    path = f"/v1/orders/{order['id']}/returns"
    token = stack.customer_token(buyer)
    no_lines = {"type": "exchange", "items": [{"sku": shirt, "quantity": 1}], "reason": "no_reason"}
    assert refused(stack.request("POST", path, json=no_lines, token=token)) == "exchange_required"
    unknown = exchange(stack, buyer, order, "no_reason", (shirt, 1, "SKU-NOT-SOLD"))
    assert refused(unknown) == "replacement_unknown"
    sold_out = exchange(stack, buyer, order, "no_reason", (shirt, 1, mug))
    assert refused(sold_out, 409) == "insufficient_stock"
    mismatch = {**no_lines, "exchange": [{"sku": shirt, "quantity": 2, "replacement_sku": mug}]}
    assert refused(stack.request("POST", path, json=mismatch, token=token)) == "exchange_mismatch"
    not_an_exchange = {**no_lines, "type": "return_refund", "exchange": mismatch["exchange"]}
    assert refused(stack.request("POST", path, json=not_an_exchange, token=token)) == "exchange_not_allowed"
    late = exchange(stack, buyer, order, "no_reason", (shirt, 2, shirt))
    assert refused(late) == "return_not_eligible"  # the same eligibility as a return: one unit shipped

    assert order_of(stack, order) == before
    assert ok(stack.request("GET", "/v1/returns", token=token))["items"] == []
    assert stock(stack, shirt) == [(4, 0)]
