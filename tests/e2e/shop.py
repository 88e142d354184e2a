"""Driving the shop over HTTP like its users do: staff set up the catalogue, buyers place orders."""

from __future__ import annotations

import uuid
from typing import Any

from oms_local.testing import Response, StackClient

from tests.integration.helpers import ADDRESS


def ok(answer: Response, status: int = 200) -> Any:
    assert answer.status == status, f"{answer.status}: {answer.text}"
    return answer.json()


def product(stack: StackClient, stock: int, *, price: int = 3900, **fields: Any) -> str:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    body = {"name": f"Product {sku}", "price": price, "currency": "CNY", "category": "general", **fields}
    admin = stack.admin_token()
    ok(stack.request("PUT", f"/v1/admin/products/{sku}", json=body, token=admin))
    if stock:
        ok(
            stack.request(
                "POST",
                f"/v1/admin/inventory/{sku}/adjustments",
                json={"delta": stock, "reason": "received"},
                token=admin,
            ),
            201,
        )
    return sku


def inventory(stack: StackClient, sku: str) -> dict[str, Any]:
    return dict(ok(stack.request("GET", f"/v1/admin/inventory/{sku}", token=stack.admin_token())))


def order_body(*lines: tuple[str, int, int], **overrides: Any) -> dict[str, Any]:
    return {
        "items": [{"sku": sku, "quantity": qty, "unit_price": price} for sku, qty, price in lines],
        "shipping_address": dict(ADDRESS),
        "payment_method": "alipay",
        "channel": "web",
        **overrides,
    }


def place(
    stack: StackClient, body: dict[str, Any], customer: str = "cus_e2e", key: str | None = None
) -> Response:
    return stack.request(
        "POST",
        "/v1/orders",
        json=body,
        token=stack.customer_token(customer),
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def orders_of(stack: StackClient, customer: str) -> list[dict[str, Any]]:
    return list(
        ok(stack.request("GET", "/v1/orders?limit=100", token=stack.customer_token(customer)))["items"]
    )


def payment(stack: StackClient, order: dict[str, Any], amount: int) -> Response:
    """The payment provider tells of ``amount`` paid for ``order`` (a new payment each time)."""
    event = {
        "event_id": f"evt_{uuid.uuid4().hex[:12]}",
        "type": "payment.succeeded",
        "order_id": order["id"],
        "payment_id": f"pay_{uuid.uuid4().hex[:8]}",
        "amount": amount,
        "currency": order["totals"]["currency"],
        "occurred_at": "2026-11-25T08:00:00Z",
    }
    return stack.webhook("/v1/webhooks/payments", event)


def pay(stack: StackClient, order: dict[str, Any]) -> None:
    answer = payment(stack, order, order["totals"]["total"])
    assert ok(answer)["outcome"] in ("paid", "held_for_review")


def ship(stack: StackClient, order: dict[str, Any], carrier: str = "sf") -> str:
    tracking = f"SF{uuid.uuid4().hex[:10].upper()}"
    ok(
        stack.request(
            "POST",
            f"/v1/admin/orders/{order['id']}/shipments",
            json={"carrier": carrier, "tracking_number": tracking},
            token=stack.admin_token(),
        ),
        201,
    )
    return tracking


def carrier_event(
    stack: StackClient,
    tracking: str,
    status: str,
    occurred_at: str,
    carrier: str = "sf",
    event_id: str | None = None,
) -> None:
    body = {
        "event_id": event_id or f"{carrier}_{uuid.uuid4().hex[:10]}",
        "tracking_number": tracking,
        "status": status,
        "occurred_at": occurred_at,
    }
    answer = stack.webhook(f"/v1/webhooks/carriers/{carrier}", body)
    assert answer.status in (200, 202), answer.text


def delivered_order(
    stack: StackClient, *lines: tuple[str, int, int], customer: str = "cus_e2e"
) -> dict[str, Any]:
    """Placed, paid, shipped and delivered, through the API and the webhooks."""
    order = ok(place(stack, order_body(*lines), customer), 201)
    pay(stack, order)
    tracking = ship(stack, order)
    now = ok(stack.request("GET", "/_local/clock"))["now"]
    carrier_event(stack, tracking, "delivered", now)
    assert stack.idle()
    delivered = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(customer)))
    assert delivered["status"] == "delivered", delivered["status"]
    return dict(delivered)
