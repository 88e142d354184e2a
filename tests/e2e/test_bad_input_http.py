"""Bad input over HTTP, beyond placing orders (tests/e2e/test_place_order_refusals.py covers that body):
each is a clear 4xx problem with a stable code, and nothing is stored.

Oversize bodies, malformed and non-UTF-8 JSON, wrong types, floats for money, zero/negative/huge numbers,
control characters (and real-world unicode, which must pass), unknown fields (no mass assignment) and ids
of the wrong shape, on the storefront, back-office and webhook routes.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from oms_local.testing import Response, StackClient

from tests.e2e.shop import delivered_order, inventory, ok, order_body, orders_of, place, product

BUYER = "cus_bad_input"


def problem(answer: Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert answer.status == status, f"{answer.status}: {answer.text}"
    assert answer.content_type.startswith("application/problem+json"), answer.content_type
    body = dict(answer.json())
    assert body["status"] == status and body["code"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def put_product(stack: StackClient, sku: str, **fields: Any) -> Response:
    body = {"name": "Tea", "price": 3900, "currency": "CNY", "category": "food", **fields}
    return stack.request("PUT", f"/v1/admin/products/{sku}", json=body, token=stack.admin_token())


def no_product(stack: StackClient, sku: str) -> None:
    answer = stack.request("GET", f"/v1/admin/inventory/{sku}", token=stack.admin_token())
    problem(answer, 404, "unknown_sku")


# -- size


def test_a_body_over_the_handler_limit_is_413_and_places_nothing(stack: StackClient) -> None:
    tea = product(stack, 5)
    body = order_body((tea, 1, 3900))
    body["shipping_address"]["line2"] = "x" * (
        70 * 1024
    )  # over MAX_BODY_BYTES (64 KiB), under the gateway's 1 MiB
    problem(place(stack, body, BUYER), 413, "payload_too_large")
    assert orders_of(stack, BUYER) == []
    assert inventory(stack, tea)["reserved"] == 0


def test_a_long_string_within_the_size_limit_is_422(stack: StackClient) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    body = problem(put_product(stack, sku, name="n" * 5000), 422, "validation_failed")
    assert "name" in [e["field"] for e in body["errors"]]
    no_product(stack, sku)


# -- not JSON


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"name": "Tea",', b"\xff\xfe\x00bad", b""],
    ids=["broken", "truncated", "not-utf8", "empty"],
)
def test_bodies_that_are_not_json_are_4xx_on_every_audience(stack: StackClient, raw: bytes) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    admin = stack.admin_token()
    headers = {"Content-Type": "application/json"}
    answers = [
        stack.request("PUT", f"/v1/admin/products/{sku}", body=raw, token=admin, headers=headers),
        stack.request(
            "POST",
            "/v1/orders",
            body=raw,
            token=stack.customer_token(BUYER),
            headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
        ),
    ]
    for answer in answers:
        # Empty is a missing body (422); anything else that is not UTF-8 JSON is malformed (400).
        if raw:
            problem(answer, 400, "malformed_json")
        else:
            problem(answer, 422, "validation_failed")
    no_product(stack, sku)
    assert orders_of(stack, BUYER) == []


def test_a_signed_webhook_that_is_not_json_is_400(stack: StackClient) -> None:
    raw = b'{"event_id": "evt_1", '
    headers = {
        "Content-Type": "application/json",
        "X-Signature": stack.signature(stack.payment_webhook_secret, raw),
    }
    problem(stack.request("POST", "/v1/webhooks/payments", body=raw, headers=headers), 400, "malformed_json")


def test_a_json_array_where_an_object_is_expected_is_422(stack: StackClient) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    answer = stack.request("PUT", f"/v1/admin/products/{sku}", json=[1, 2], token=stack.admin_token())
    problem(answer, 422, "validation_failed")
    no_product(stack, sku)


# -- wrong types, floats for money, zero / negative / huge numbers


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": 39.9}, "price"),
        ({"price": 3900.0}, "price"),
        ({"price": "3900"}, "price"),
        ({"price": -1}, "price"),
        ({"price": 10**30}, "price"),
        ({"price": True}, "price"),
        ({"max_per_order": 0}, "max_per_order"),
        ({"return_window_days": -7}, "return_window_days"),
        ({"flags": "food"}, "flags"),
        ({"currency": "cny"}, "currency"),
    ],
)
def test_product_fields_of_the_wrong_type_or_range(
    stack: StackClient, fields: dict[str, Any], field: str
) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    body = problem(put_product(stack, sku, **fields), 422, "validation_failed")
    assert field in [e["field"] for e in body["errors"]], body
    no_product(stack, sku)


@pytest.mark.parametrize("delta", [1.5, "5", 10**7, -(10**7), None, True])
def test_stock_adjustments_of_the_wrong_type_or_range_change_nothing(stack: StackClient, delta: Any) -> None:
    tea = product(stack, 5)
    answer = stack.request(
        "POST",
        f"/v1/admin/inventory/{tea}/adjustments",
        json={"delta": delta, "reason": "received"},
        token=stack.admin_token(),
    )
    problem(answer, 422, "validation_failed")
    assert inventory(stack, tea)["on_hand"] == 5


@pytest.mark.parametrize("amount", [7800.0, 78.00, "7800", -1])
def test_a_signed_payment_with_a_float_or_negative_amount_pays_nothing(
    stack: StackClient, amount: Any
) -> None:
    tea = product(stack, 5, price=3900)
    order = ok(place(stack, order_body((tea, 2, 3900)), BUYER), 201)
    event = {
        "event_id": f"evt_{uuid.uuid4().hex[:12]}",
        "type": "payment.succeeded",
        "order_id": order["id"],
        "payment_id": "pay_1",
        "amount": amount,
        "currency": "CNY",
        "occurred_at": "2026-11-25T08:00:00Z",
    }
    body = problem(stack.webhook("/v1/webhooks/payments", event), 422, "validation_failed")
    assert "amount" in [e["field"] for e in body["errors"]]
    stored = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(BUYER)))
    assert (stored["status"], stored["captured"]) == ("pending_payment", 0)


def test_return_quantities_of_the_wrong_range_or_type_open_no_return(stack: StackClient) -> None:
    tea = product(stack, 10)
    order = delivered_order(stack, (tea, 2, 3900), customer=BUYER)
    token = stack.customer_token(BUYER)
    for quantity in (0, -1, 10**9, 1.0, "1"):
        answer = stack.request(
            "POST",
            f"/v1/orders/{order['id']}/returns",
            json={"items": [{"sku": tea, "quantity": quantity}], "reason": "no_reason"},
            token=token,
        )
        problem(answer, 422)
    assert ok(stack.request("GET", "/v1/returns", token=token))["items"] == []


# -- control characters and unicode


@pytest.mark.parametrize("recipient", ["王\x00芳", "王芳\x1b[2J", "\x07bell", "line\nbreak"])
def test_control_characters_in_an_address_place_nothing(stack: StackClient, recipient: str) -> None:
    tea = product(stack, 5)
    body = order_body((tea, 1, 3900))
    body["shipping_address"]["recipient"] = recipient
    problem(place(stack, body, BUYER), 422)
    assert orders_of(stack, BUYER) == []
    assert inventory(stack, tea)["reserved"] == 0


def test_real_world_unicode_in_an_address_is_kept_as_sent(stack: StackClient) -> None:
    tea = product(stack, 5)
    body = order_body((tea, 1, 3900))
    body["shipping_address"].update(recipient="Zoë 王芳 🎁", line1="Rue de l'Église 3 — 人民路 1 号")
    order = ok(place(stack, body, BUYER), 201)
    stored = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(BUYER)))
    assert stored["shipping_address"]["recipient"] == "Zoë 王芳 🎁"
    assert stored["shipping_address"]["line1"] == "Rue de l'Église 3 — 人民路 1 号"


@pytest.mark.parametrize("name", ["Tea\x00", "Tea\x1b[31m", "\x08Tea"])
def test_control_characters_in_a_product_name_store_nothing(stack: StackClient, name: str) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    problem(put_product(stack, sku, name=name), 422, "validation_failed")
    no_product(stack, sku)


def test_a_unicode_product_name_is_kept_as_sent(stack: StackClient) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    assert ok(put_product(stack, sku, name="茉莉花茶 🍵 Thé"))["name"] == "茉莉花茶 🍵 Thé"


# -- unknown fields: no mass assignment


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "PUT",
            "/v1/admin/products/{sku}",
            {"name": "T", "price": 1, "currency": "CNY", "category": "c", "on_hand": 10**6},
        ),
        (
            "PUT",
            "/v1/admin/products/{sku}",
            {"name": "T", "price": 1, "currency": "CNY", "category": "c", "sku": "SKU-OTHER"},
        ),
        ("POST", "/v1/admin/inventory/{sku}/adjustments", {"delta": 1, "reason": "received", "reserved": 0}),
        ("PUT", "/v1/admin/inventory/{sku}/channels/web", {"allocation": 1, "on_hand": 10**6}),
    ],
)
def test_unknown_fields_on_admin_routes_are_refused(
    stack: StackClient, method: str, path: str, body: dict[str, Any]
) -> None:
    tea = product(stack, 5)
    before = inventory(stack, tea)
    answer = stack.request(method, path.format(sku=tea), json=body, token=stack.admin_token())
    problem(answer, 422, "validation_failed")
    assert inventory(stack, tea) == before


def test_unknown_fields_on_orders_returns_and_webhooks_are_refused(stack: StackClient) -> None:
    tea = product(stack, 10)
    order = delivered_order(stack, (tea, 2, 3900), customer=BUYER)
    token = stack.customer_token(BUYER)
    asked = stack.request(
        "POST",
        f"/v1/orders/{order['id']}/returns",
        json={"items": [{"sku": tea, "quantity": 1}], "reason": "no_reason", "status": "refunded"},
        token=token,
    )
    problem(asked, 422, "validation_failed")
    paid = {
        "event_id": f"evt_{uuid.uuid4().hex[:12]}",
        "type": "refund.succeeded",
        "order_id": order["id"],
        "payment_id": "pay_1",
        "amount": 1,
        "currency": "CNY",
        "occurred_at": "2026-11-25T08:00:00Z",
        "refunded": 0,
    }
    problem(stack.webhook("/v1/webhooks/payments", paid), 422, "validation_failed")
    stored = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=token))
    assert (stored["status"], stored["refunded"]) == ("delivered", 0)
    assert ok(stack.request("GET", "/v1/returns", token=token))["items"] == []


# -- ids of the wrong shape


@pytest.mark.parametrize(
    "path",
    [
        "/v1/orders/ord_short",
        "/v1/orders/ORD_ABCDEFGHIJKLMNOPQRST",
        "/v1/orders/ord_aaaaaaaaaaaaaaaaaaaa%27%20OR%201=1",
        "/v1/orders/%00",
        "/v1/returns/ret_",
        "/v1/returns/ord_aaaaaaaaaaaaaaaaaaaa",
        "/v1/products/has%20space",
        "/v1/products/" + "A" * 300,
        "/v1/admin/orders/12345",
        "/v1/admin/returns/ret_%E7%8E%8B",
        "/v1/admin/inventory/..%2F..%2Fetc",
    ],
)
def test_ids_of_the_wrong_shape_are_4xx_problems(stack: StackClient, path: str) -> None:
    token = stack.admin_token() if path.startswith("/v1/admin") else stack.customer_token(BUYER)
    answer = stack.request("GET", path, token=token)
    assert answer.status in (404, 422), f"{answer.status}: {answer.text}"
    problem(answer, answer.status)


def test_writes_to_ids_of_the_wrong_shape_change_nothing(stack: StackClient) -> None:
    token = stack.customer_token(BUYER)
    for path in ("/v1/orders/ord_x/cancel", "/v1/orders/x/confirm-receipt", "/v1/returns/nope/cancel"):
        problem(stack.request("POST", path, token=token), 422, "validation_failed")
    answer = stack.request(
        "POST",
        "/v1/admin/orders/ord_x/shipments",
        json={"carrier": "sf", "tracking_number": "SF1"},
        token=stack.admin_token(),
    )
    problem(answer, 422, "validation_failed")


def test_a_channel_write_off_beyond_its_stock_is_409_not_500(stack: StackClient) -> None:
    # Found by the schema fuzz on DynamoDB Local: the write-off named an unused expression value (a 500).
    tea = product(stack, 0)
    admin = stack.admin_token()
    path = f"/v1/admin/inventory/{tea}/adjustments"
    received = {"delta": 5, "reason": "received", "channel": "web"}
    ok(stack.request("POST", path, json=received, token=admin), 201)
    written_off = {"delta": -2, "reason": "write_off", "channel": "web"}
    assert (
        ok(stack.request("POST", path, json=written_off, token=admin), 201)["channels"]["web"]["available"]
        == 3
    )
    too_many = {"delta": -550, "reason": "write_off", "channel": "web"}
    problem(stack.request("POST", path, json=too_many, token=admin), 409)
    assert inventory(stack, tea)["channels"]["web"]["available"] == 3


def test_inspecting_a_withdrawn_return_puts_no_stock_back(stack: StackClient) -> None:
    # Found while checking the stock books: the units went back to stock before the move was refused.
    tea = product(stack, 5)
    order = delivered_order(stack, (tea, 2, 3900), customer=BUYER)
    token = stack.customer_token(BUYER)
    asked = stack.request(
        "POST",
        f"/v1/orders/{order['id']}/returns",
        json={"items": [{"sku": tea, "quantity": 1}], "reason": "no_reason"},
        token=token,
    )
    return_id = ok(asked, 201)["id"]
    assert ok(stack.request("POST", f"/v1/returns/{return_id}/cancel", token=token))["status"] == "cancelled"
    before = inventory(stack, tea)
    inspection = {"items": [{"sku": tea, "quantity_received": 1, "condition": "resellable"}]}
    answer = stack.request(
        "POST", f"/v1/admin/returns/{return_id}/inspection", json=inspection, token=stack.admin_token()
    )
    problem(answer, 409, "invalid_transition")
    assert stack.idle()
    assert inventory(stack, tea) == before
