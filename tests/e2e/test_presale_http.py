"""Presale with a deposit over HTTP, with the clock moved: an order paid in two parts (the deposit, then the
balance once its window opens) that ships as any other; one whose balance never comes, cancelled at the
window's close with its stock released and the deposit kept as the published terms say, in the reports."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import inventory, ok, order_body, payment, place, product, ship

ADMIN_ORDER = "/v1/admin/orders/{}"


def now(stack: StackClient) -> datetime:
    return datetime.fromisoformat(
        str(ok(stack.request("GET", "/_local/clock"))["now"]).replace("Z", "+00:00")
    )


def presale_product(stack: StackClient, stock: int = 5) -> tuple[str, dict[str, Any]]:
    start = now(stack).astimezone(UTC)
    deposit = {
        "amount": 2000,
        "balance_opens_at": (start + timedelta(days=2)).isoformat(),
        "balance_closes_at": (start + timedelta(days=4)).isoformat(),
    }
    ships = (start + timedelta(days=6)).isoformat()
    sku = product(stack, stock, price=19900, flags=["presale"], deposit=deposit, presale_ships_at=ships)
    return sku, deposit


def stored(stack: StackClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.request("GET", ADMIN_ORDER.format(order["id"]), token=stack.admin_token())))


def told(stack: StackClient, order: dict[str, Any]) -> list[str]:
    return [n["body"] for n in stack.notifications() if order["id"] in n.get("body", "")]


def test_a_presale_order_paid_in_two_parts_ships_as_any_other(stack: StackClient) -> None:
    customer = f"cus_{uuid.uuid4().hex[:8]}"
    sku, deposit = presale_product(stack)
    shown = ok(stack.request("GET", f"/v1/products/{sku}", token=stack.customer_token()))
    assert shown["deposit"]["amount"] == 2000  # the product page shows the terms
    order = ok(place(stack, order_body((sku, 2, 19900)), customer), 201)
    plan = order["payment_plan"]
    assert (plan["deposit"], plan["balance"]) == (4000, order["totals"]["total"] - 4000)
    assert plan["deposit_refunded_if_balance_unpaid"] is False

    wrong = ok(payment(stack, order, order["totals"]["total"]))  # the whole total is not what is asked now
    assert wrong["outcome"] == "mismatch"
    assert ok(payment(stack, order, 4000))["outcome"] == "deposit_paid"
    assert stack.idle()
    waiting = stored(stack, order)
    assert (waiting["status"], waiting["captured"]) == ("awaiting_balance", 4000)
    assert inventory(stack, sku)["reserved"] == 2
    assert any("定金" in body and "尾款" in body for body in told(stack, order))

    stack.advance(2 * 86400 + 60)
    ok(stack.run_schedule("release-unpaid"))
    assert stack.idle()
    assert any("尾款" in body and "现在可以支付" in body for body in told(stack, order))
    # A presale is a special order: paid in full, a person looks at it before it ships.
    assert ok(payment(stack, order, plan["balance"]))["outcome"] == "held_for_review"
    review = {"decision": "approve", "reason": "presale stock confirmed"}
    ok(
        stack.request(
            "POST", ADMIN_ORDER.format(order["id"]) + "/review", json=review, token=stack.admin_token()
        )
    )
    assert stack.idle()
    final = stored(stack, order)
    assert final["status"] == "awaiting_fulfillment"
    assert final["captured"] == final["totals"]["total"] and final["refunded"] == 0
    payments = [
        e["type"] for e in final["timeline"] if e["type"] in ("pay_deposit", "pay", "hold_for_review")
    ]
    assert payments == ["pay_deposit", "hold_for_review"]  # one payment per stage
    ship(stack, final)
    assert inventory(stack, sku)["reserved"] == 0
    assert deposit["balance_closes_at"]


def test_a_presale_whose_balance_never_comes_is_cancelled_at_the_close_and_keeps_the_deposit(
    stack: StackClient,
) -> None:
    customer = f"cus_{uuid.uuid4().hex[:8]}"
    sku, _ = presale_product(stack)
    order = ok(place(stack, order_body((sku, 1, 19900)), customer), 201)
    assert ok(payment(stack, order, 2000))["outcome"] == "deposit_paid"
    assert stack.idle()

    stack.advance(2 * 86400 + 60)  # the window opens
    ok(stack.run_schedule("release-unpaid"))
    stack.advance(86400)  # a day before it closes
    ok(stack.run_schedule("release-unpaid"))
    assert stack.idle()
    assert any("逾期订单将取消" in body for body in told(stack, order))
    assert stored(stack, order)["status"] == "awaiting_balance"

    stack.advance(86400 + 60)  # closed
    answer = ok(stack.run_schedule("release-unpaid"))
    assert stack.idle()
    final = stored(stack, order)
    assert (final["status"], final["cancel_reason"]) == ("cancelled", "balance_unpaid")
    assert (final["captured"], final["refunded"], final["deposit_kept"]) == (2000, 0, 2000)
    assert final["refunds"] == []
    assert inventory(stack, sku)["reserved"] == 0
    assert any("定金¥20.00按预售规则不予退还" in body for body in told(stack, order))
    late = ok(payment(stack, order, order["totals"]["total"] - 2000))  # too late: given back
    assert late["outcome"] == "refunded"

    day = now(stack).date().isoformat()
    first = (now(stack) - timedelta(days=5)).date().isoformat()
    report = ok(
        stack.request("GET", f"/v1/admin/reports/orders?from={first}&to={day}", token=stack.admin_token())
    )
    assert report["totals"]["presale_deposits"] >= 1 and report["totals"]["presale_balance_unpaid"] >= 1
    assert answer


def test_a_buyer_who_cancels_while_the_balance_is_awaited_keeps_no_claim_on_the_deposit(
    stack: StackClient,
) -> None:
    customer = f"cus_{uuid.uuid4().hex[:8]}"
    sku, _ = presale_product(stack)
    order = ok(place(stack, order_body((sku, 1, 19900)), customer), 201)
    ok(payment(stack, order, 2000))
    assert stack.idle()
    path = f"/v1/orders/{order['id']}/cancel"
    assert ok(stack.request("POST", path, token=stack.customer_token(customer)))["status"] == "cancelled"
    assert stack.idle()
    final = stored(stack, order)
    assert (final["refunded"], final["deposit_kept"]) == (0, 2000) and final["refunds"] == []
    assert inventory(stack, sku)["reserved"] == 0


def test_the_shop_cancelling_while_the_balance_is_awaited_refunds_the_deposit(stack: StackClient) -> None:
    sku, _ = presale_product(stack)
    order = ok(place(stack, order_body((sku, 1, 19900)), f"cus_{uuid.uuid4().hex[:8]}"), 201)
    ok(payment(stack, order, 2000))
    assert stack.idle()
    path = ADMIN_ORDER.format(order["id"]) + "/cancel"
    assert ok(stack.request("POST", path, token=stack.admin_token()))["status"] == "cancelled"
    assert stack.idle()
    final = stored(stack, order)
    assert final["refunded"] == 2000 and "deposit_kept" not in final
    assert [(r["amount"], r["status"]) for r in final["refunds"]] == [(2000, "succeeded")]
