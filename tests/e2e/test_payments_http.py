"""Signed payment webhooks over HTTP: paying, refusing forgeries and replays, late payments refunded."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from oms_local.testing import StackClient

from tests.e2e.shop import inventory, ok, order_body, place, product


def pay_event(order: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return {
        "event_id": f"evt_{uuid.uuid4().hex[:12]}",
        "type": "payment.succeeded",
        "order_id": order["id"],
        "payment_id": f"pay_{uuid.uuid4().hex[:8]}",
        "amount": order["totals"]["total"],
        "currency": order["totals"]["currency"],
        "occurred_at": "2026-11-25T08:00:00Z",
        **overrides,
    }


def order_of(stack: StackClient, order: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(stack.request("GET", f"/v1/admin/orders/{order['id']}", token=stack.admin_token())))


def test_a_signed_payment_pays_the_order_once(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900))), 201)
    event = pay_event(order)
    first = stack.webhook("/v1/webhooks/payments", event)
    assert ok(first)["outcome"] == "paid"
    again = stack.webhook("/v1/webhooks/payments", event)
    assert ok(again)["outcome"] == "duplicate"
    paid = order_of(stack, order)
    assert (paid["status"], paid["captured"]) == ("awaiting_fulfillment", order["totals"]["total"])
    assert [e["type"] for e in paid["timeline"]] == ["placed", "pay"]
    queue = ok(stack.request("GET", "/v1/admin/fulfillment-queue", token=stack.admin_token()))
    assert order["id"] in [i["id"] for i in queue["items"]]


def test_forged_old_and_unsigned_webhooks_change_nothing(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900))), 201)
    event = pay_event(order)
    forged = stack.webhook("/v1/webhooks/payments", event, secret="not-the-secret")
    clock = ok(stack.request("GET", "/_local/clock"))
    old = (
        stack.webhook("/v1/webhooks/payments", event, timestamp=int(clock["epoch_seconds"]) - 301)
        if "epoch_seconds" in clock
        else None
    )
    unsigned = stack.request("POST", "/v1/webhooks/payments", json=event)
    for answer in (forged, unsigned, *([old] if old else [])):
        assert answer.status == 401
        assert answer.content_type == "application/problem+json"
        assert answer.json()["code"] == "invalid_signature"
    assert order_of(stack, order)["status"] == "pending_payment"
    assert (
        ok(stack.webhook("/v1/webhooks/payments", event))["outcome"] == "paid"
    )  # the real one still applies


def test_a_wrong_amount_is_an_exception_not_a_payment(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900))), 201)
    assert ok(stack.webhook("/v1/webhooks/payments", pay_event(order, amount=1)))["outcome"] == "mismatch"
    stored = order_of(stack, order)
    assert stored["status"] == "pending_payment"
    assert stored["exceptions"][0]["kind"] == "payment_mismatch"


def test_a_malformed_webhook_is_a_clear_4xx(stack: StackClient) -> None:
    answer = stack.webhook("/v1/webhooks/payments", {"event_id": "x", "type": "payment.stolen"})
    assert answer.status == 422
    assert answer.json()["code"] == "validation_failed"


def test_payment_racing_release_unpaid_over_http(stack: StackClient) -> None:
    tea = product(stack, 10)
    order = ok(place(stack, order_body((tea, 2, 3900))), 201)
    stack.advance(31 * 60)
    event = pay_event(order)
    results: dict[str, Any] = {}
    start = threading.Barrier(2)

    def pay() -> None:
        start.wait()
        results["pay"] = stack.webhook("/v1/webhooks/payments", event)

    def release() -> None:
        start.wait()
        results["release"] = stack.run_schedule("release-unpaid")

    threads = [threading.Thread(target=pay), threading.Thread(target=release)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["pay"].status == 200 and results["release"].status == 200
    assert stack.idle()
    final = order_of(stack, order)
    if final["status"] == "cancelled":
        assert results["pay"].json()["outcome"] == "refunded"
        assert final["captured"] == final["refunded"] == order["totals"]["total"]
        assert [r["status"] for r in final["refunds"]] == ["succeeded"]  # the refund step ran
        assert inventory(stack, tea)["reserved"] == 0
    else:
        assert final["status"] == "awaiting_fulfillment" and final["refunded"] == 0
        assert inventory(stack, tea)["reserved"] == 2


def test_cancelling_a_paid_order_refunds_it(stack: StackClient) -> None:
    tea = product(stack, 10)
    customer = f"cus_{uuid.uuid4().hex[:6]}"
    order = ok(place(stack, order_body((tea, 2, 3900)), customer), 201)
    ok(stack.webhook("/v1/webhooks/payments", pay_event(order)))
    cancelled = ok(
        stack.request("POST", f"/v1/orders/{order['id']}/cancel", token=stack.customer_token(customer))
    )
    assert cancelled["status"] == "cancelled"
    assert stack.idle()
    final = order_of(stack, order)
    assert final["refunded"] == order["totals"]["total"]
    assert [r["status"] for r in final["refunds"]] == ["succeeded"]
    assert inventory(stack, tea)["reserved"] == 0
    again = stack.request("POST", f"/v1/orders/{order['id']}/cancel", token=stack.customer_token(customer))
    assert again.status == 409 and again.json()["code"] == "invalid_transition"


def test_the_same_webhook_delivered_concurrently_applies_once(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900))), 201)
    event = pay_event(order)
    answers = []
    start = threading.Barrier(5)

    def deliver() -> None:
        start.wait()
        answers.append(stack.webhook("/v1/webhooks/payments", event))

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(ok(a)["outcome"] for a in answers)
    assert outcomes == ["duplicate"] * 4 + ["paid"]
    paid = order_of(stack, order)
    assert (paid["captured"], paid["refunded"]) == (order["totals"]["total"], 0)
    assert [e["type"] for e in paid["timeline"]] == ["placed", "pay"]
