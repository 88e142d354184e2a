"""Order edits before shipment over HTTP, with the books checked after each: an edit that lowers a paid
order's total (refunded, stock given back), one that raises it (the balance paid, the edit applies), one
whose balance never comes (undone at its due time, stock as before), an edit of an unpaid order, and the
refusals (after shipment, stock short, a moved price)."""

from __future__ import annotations

import uuid
from typing import Any

from oms_local.testing import Response, StackClient

from tests.e2e.shop import inventory, ok, order_body, pay, payment, place, product, ship

ADMIN_ORDER = "/v1/admin/orders/{}"


def buyer() -> str:
    return f"cus_{uuid.uuid4().hex[:8]}"


def edit(
    stack: StackClient,
    customer: str,
    order: dict[str, Any],
    *lines: tuple[str, int],
    key: str | None = None,
    **more: Any,
) -> Response:
    body = {"lines": [{"sku": s, "quantity": q} for s, q in lines], **more}
    return stack.request(
        "POST",
        f"/v1/orders/{order['id']}/edits",
        json=body,
        token=stack.customer_token(customer),
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def preview(
    stack: StackClient, customer: str, order: dict[str, Any], *lines: tuple[str, int]
) -> dict[str, Any]:
    body = {"lines": [{"sku": s, "quantity": q} for s, q in lines]}
    path = f"/v1/orders/{order['id']}/edits/preview"
    return dict(ok(stack.request("POST", path, json=body, token=stack.customer_token(customer))))


def stored(stack: StackClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.request("GET", ADMIN_ORDER.format(order["id"]), token=stack.admin_token())))


def paid_order(stack: StackClient, customer: str, *lines: tuple[str, int, int]) -> dict[str, Any]:
    order = ok(place(stack, order_body(*lines), customer), 201)
    pay(stack, order)
    assert stack.idle()
    return dict(order)


def reserved(stack: StackClient, *skus: str) -> list[int]:
    return [inventory(stack, sku)["reserved"] for sku in skus]


def test_an_edit_that_lowers_a_paid_total_refunds_the_difference_and_gives_stock_back(
    stack: StackClient,
) -> None:
    customer = buyer()
    tea, cup = product(stack, 10, price=3900), product(stack, 10, price=1500)
    order = paid_order(stack, customer, (tea, 3, 3900), (cup, 2, 1500))
    total = order["totals"]["total"]

    shown = preview(stack, customer, order, (tea, 1))
    assert shown["settlement"] == "apply" and shown["removed"] == {tea: 2, cup: 2}
    assert shown["refund"] == total - shown["totals"]["total"] > 0
    assert reserved(stack, tea, cup) == [3, 2]  # a preview writes nothing

    answer = ok(edit(stack, customer, order, (tea, 1), expected_total=shown["totals"]["total"]))
    assert answer["edit"]["state"] == "applied"
    assert [(i["sku"], i["quantity"]) for i in answer["order"]["items"]] == [(tea, 1)]
    assert reserved(stack, tea, cup) == [1, 0]
    assert stack.idle()
    final = stored(stack, order)
    assert final["captured"] == total and final["refunded"] == shown["refund"]
    assert [(r["reason"], r["status"], r["amount"]) for r in final["refunds"]] == [
        ("order_edit", "succeeded", shown["refund"])
    ]
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("已修改" in body and "原路退回" in body for body in told), told


def test_an_edit_that_raises_a_paid_total_applies_once_its_balance_is_paid(stack: StackClient) -> None:
    customer = buyer()
    tea, pot = product(stack, 10, price=3900), product(stack, 4, price=9900)
    order = paid_order(stack, customer, (tea, 2, 3900))
    total = order["totals"]["total"]

    answer = ok(edit(stack, customer, order, (tea, 1), (pot, 1)))
    pending = answer["order"]["pending_edit"]
    assert answer["edit"]["state"] == "awaiting_balance" and pending["balance"] > 0
    assert [(i["sku"], i["quantity"]) for i in answer["order"]["items"]] == [(tea, 2)]  # not yet
    assert reserved(stack, tea, pot) == [2, 1]  # what it adds is held; what it removes too, until paid
    refused = stack.request(
        "POST",
        ADMIN_ORDER.format(order["id"]) + "/shipments",
        json={"carrier": "sf", "tracking_number": "SF0000000001"},
        token=stack.admin_token(),
    )
    assert refused.status == 409 and refused.json()["code"] == "edit_awaiting_balance"

    assert ok(payment(stack, order, pending["balance"]))["outcome"] == "edit_balance_paid"
    assert stack.idle()
    final = stored(stack, order)
    assert "pending_edit" not in final
    assert [(i["sku"], i["quantity"]) for i in final["items"]] == [(tea, 1), (pot, 1)]
    assert final["captured"] == total + pending["balance"] == final["totals"]["total"]
    assert final["refunded"] == 0
    assert reserved(stack, tea, pot) == [1, 1]
    assert [e["state"] for e in final["edits"]] == ["balance_paid"]
    ship(stack, final)  # back in the pick queue, and ships as edited
    assert reserved(stack, tea, pot) == [0, 0]


def test_an_edit_whose_balance_never_comes_is_undone_at_its_due_time(stack: StackClient) -> None:
    customer = buyer()
    tea, pot = product(stack, 10, price=3900), product(stack, 4, price=9900)
    order = paid_order(stack, customer, (tea, 2, 3900))
    before = stored(stack, order)

    ok(edit(stack, customer, order, (tea, 1), (pot, 2)))
    assert reserved(stack, tea, pot) == [2, 2]
    stack.advance(23 * 3600)
    assert ok(stack.run_schedule("release-unpaid"))
    assert "pending_edit" in stored(stack, order)  # not due yet
    stack.advance(2 * 3600)
    assert ok(stack.run_schedule("release-unpaid"))
    assert stack.idle()

    final = stored(stack, order)
    assert "pending_edit" not in final and final["status"] == "awaiting_fulfillment"
    assert final["items"] == before["items"] and final["totals"] == before["totals"]
    assert (final["captured"], final["refunded"]) == (before["captured"], 0)
    assert [e["state"] for e in final["edits"]] == ["lapsed"]
    assert reserved(stack, tea, pot) == [2, 0]
    late = ok(payment(stack, order, final["totals"]["total"]))  # too late: given back
    assert late["outcome"] == "refunded"
    told = [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]
    assert any("修改已取消" in body for body in told), told


def test_an_unpaid_order_is_edited_and_then_paid_at_its_new_total(stack: StackClient) -> None:
    customer = buyer()
    tea, cup = product(stack, 10, price=3900), product(stack, 10, price=1500)
    order = ok(place(stack, order_body((tea, 1, 3900)), customer), 201)
    answer = ok(edit(stack, customer, order, (tea, 2), (cup, 1)))
    assert answer["edit"]["state"] == "applied"
    new_total = answer["order"]["totals"]["total"]
    assert new_total > order["totals"]["total"]
    assert reserved(stack, tea, cup) == [2, 1]
    pay(stack, {**order, "totals": answer["order"]["totals"]})
    assert stack.idle()
    final = stored(stack, order)
    assert final["status"] == "awaiting_fulfillment" and final["captured"] == new_total
    assert final["refunds"] == []


def test_edits_that_cannot_be_made_are_4xx_and_change_nothing(stack: StackClient) -> None:
    customer = buyer()
    tea, rare = product(stack, 10, price=3900), product(stack, 1, price=5000)
    order = paid_order(stack, customer, (tea, 2, 3900))

    short = edit(stack, customer, order, (tea, 2), (rare, 3))
    assert short.status == 409 and short.json()["code"] == "insufficient_stock"
    moved = edit(stack, customer, order, (tea, 1), expected_total=1)
    assert moved.status == 409 and moved.json()["code"] == "edit_total_changed"
    empty = edit(stack, customer, order, (tea, 0))
    assert empty.status == 409 and empty.json()["code"] == "edit_empties_order"
    bad = stack.request(
        "POST",
        f"/v1/orders/{order['id']}/edits",
        json={"lines": [{"sku": tea, "quantity": -1}]},
        token=stack.customer_token(customer),
    )
    assert bad.status == 422 and bad.content_type.startswith("application/problem+json")
    stranger = edit(stack, buyer(), order, (tea, 1))
    assert stranger.status == 404
    assert reserved(stack, tea, rare) == [2, 0]
    assert "edits" not in stored(stack, order)

    ship(stack, order)
    late = edit(stack, customer, order, (tea, 1))
    assert late.status == 409 and late.json()["code"] == "order_not_editable"


def test_an_edit_sent_again_is_made_once_and_its_key_with_another_basket_is_refused(
    stack: StackClient,
) -> None:
    customer = buyer()
    tea = product(stack, 10, price=3900)
    order = paid_order(stack, customer, (tea, 3, 3900))
    key = uuid.uuid4().hex
    first = ok(edit(stack, customer, order, (tea, 2), key=key))
    again = ok(edit(stack, customer, order, (tea, 2), key=key))
    assert again["edit"]["id"] == first["edit"]["id"] and "request_hash" not in again["edit"]
    other = edit(stack, customer, order, (tea, 1), key=key)
    assert other.status == 409 and other.json()["code"] == "idempotency_key_reused"
    assert other.content_type.startswith("application/problem+json")
    assert stack.idle()
    final = stored(stack, order)
    assert [i["quantity"] for i in final["items"]] == [2] and len(final["edits"]) == 1
    assert [r["amount"] for r in final["refunds"]] == [-first["edit"]["difference"]]  # refunded once
