"""Input an attacker sends, over HTTP: each is a 4xx problem with a stable code, never a 5xx, and changes
nothing — forged page cursors, JSON nested past the parser's depth, bodies that are not JSON, signatures
with non-ASCII bytes, group names that only look like ``admin``, customers probing admin routes."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from oms_local.auth import mint
from oms_local.testing import StackClient

from tests.e2e.shop import (
    carrier_event,
    delivered_order,
    ok,
    order_body,
    orders_of,
    pay,
    place,
    product,
    ship,
)
from tests.e2e.test_bad_input_http import problem
from tests.e2e.test_tracking_http import local_now

BUYER = "cus_hostile"


def cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def own_key(customer_key: str, **changes: Any) -> dict[str, Any]:
    key: dict[str, Any] = {
        "pk": {"S": "ORDER#ord_x"},
        "sk": {"S": "ORDER"},
        "customer_key": {"S": customer_key},
        "created_key": {"S": "2026-01-01T00:00:00.000Z#ord_x"},
    }
    key.update(changes)
    return {k: v for k, v in key.items() if v is not None}


FORGED_KEYS = [
    {"pk": "x", "sk": 1},
    "not a map",
    [1, 2],
    own_key("{own}", pk="ORDER#x"),  # the partition key not an attribute value
    own_key("{own}", pk={"N": "1"}),
    own_key("{own}", pk={"S": ""}),
    own_key("{own}", pk={"S": "x" * 1100}),
    own_key("{own}", extra={"S": "x"}),
    own_key("{own}", sk=None),
    own_key("CUSTOMER#cus_someone_else"),
]


@pytest.mark.parametrize("list_path", ["/v1/orders", "/v1/returns"])
@pytest.mark.parametrize("forged", range(len(FORGED_KEYS)))
def test_a_forged_storefront_cursor_is_400_invalid_cursor(
    stack: StackClient, list_path: str, forged: int
) -> None:
    own = "CUSTOMER#" + BUYER if list_path == "/v1/orders" else "RETURNS#" + BUYER
    key = json.loads(json.dumps(FORGED_KEYS[forged]).replace("{own}", own))
    answer = stack.request("GET", f"{list_path}?cursor={cursor(key)}", token=stack.customer_token(BUYER))
    problem(answer, 400, "invalid_cursor")


@pytest.mark.parametrize("garbage", ["%%%", "bm90IGpzb24", "AAAA", "x" * 100])
def test_a_cursor_that_is_not_base64_json_is_400(stack: StackClient, garbage: str) -> None:
    answer = stack.request("GET", f"/v1/orders?cursor={garbage}", token=stack.customer_token(BUYER))
    problem(answer, 400, "invalid_cursor")


def test_the_next_cursor_of_a_real_page_still_works(stack: StackClient) -> None:
    tea = product(stack, 10)
    for _ in range(3):
        ok(
            stack.request(
                "POST",
                "/v1/orders",
                json={
                    "items": [{"sku": tea, "quantity": 1, "unit_price": 3900}],
                    "shipping_address": _address(),
                    "payment_method": "alipay",
                    "channel": "web",
                },
                token=stack.customer_token(BUYER),
                headers={"Idempotency-Key": uuid.uuid4().hex},
            ),
            201,
        )
    first = ok(stack.request("GET", "/v1/orders?limit=2", token=stack.customer_token(BUYER)))
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = ok(
        stack.request(
            "GET", f"/v1/orders?limit=2&cursor={first['next_cursor']}", token=stack.customer_token(BUYER)
        )
    )
    assert len(second["items"]) == 1


def _address() -> dict[str, str]:
    from tests.integration.helpers import ADDRESS

    return dict(ADDRESS)


DEEP = "[" * 1000 + "]" * 1000


def test_json_nested_past_the_parsers_depth_is_400_and_places_nothing(stack: StackClient) -> None:
    answer = stack.request(
        "POST",
        "/v1/orders",
        body=DEEP,
        token=stack.customer_token(BUYER),
        headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )
    problem(answer, 400, "malformed_json")
    assert orders_of(stack, BUYER) == []


def test_return_messages_nested_too_deep_or_not_json_are_4xx(stack: StackClient) -> None:
    opened = _return_awaiting_parcel(stack, BUYER)
    path = f"/v1/returns/{opened['id']}/messages"
    deep = stack.request(
        "POST",
        path,
        body=DEEP,
        token=stack.customer_token(BUYER),
        headers={"Content-Type": "application/json"},
    )
    problem(deep, 400, "malformed_json")
    octets = stack.request(
        "POST",
        path,
        body=b"\x00\x01hello",
        token=stack.customer_token(BUYER),
        headers={"Content-Type": "application/octet-stream"},
    )
    problem(octets, 415, "unsupported_media_type")
    seen = ok(stack.request("GET", f"/v1/returns/{opened['id']}", token=stack.customer_token(BUYER)))
    assert seen.get("messages", []) == []


@pytest.mark.parametrize("given", ["é", "ü" * 64, "0" * 63 + "é"])
def test_a_signature_with_non_ascii_characters_is_401(stack: StackClient, given: str) -> None:
    now = int(local_now(stack).timestamp())
    for path in ("/v1/webhooks/payments", "/v1/webhooks/carriers/sf"):
        answer = stack.request(
            "POST",
            path,
            body=b"{}",
            headers={"Content-Type": "application/json", "X-Signature": f"t={now},v1={given}"},
        )
        problem(answer, 401, "invalid_signature")


@pytest.mark.parametrize(
    "groups",
    [
        ["staff,admin"],
        ["store admin"],
        ["[admin]"],
        ["Admin"],
        ["admins"],
        ["admin "],
        [" admin"],
        "staff admin",
    ],
)
def test_only_the_exact_group_admin_opens_the_back_office(stack: StackClient, groups: Any) -> None:
    token = mint(stack.local.jwt, "stf_lookalike", extra={"cognito:groups": groups})
    answer = stack.request("GET", "/v1/admin/review-queue", token=token)
    problem(answer, 403)


def test_the_group_admin_among_others_opens_the_back_office(stack: StackClient) -> None:
    token = mint(stack.local.jwt, "stf_real", groups=["staff", "admin"])
    assert stack.request("GET", "/v1/admin/review-queue", token=token).status == 200


def test_a_customer_on_an_admin_route_learns_the_role_not_the_fields(stack: StackClient) -> None:
    sku = f"SKU-{uuid.uuid4().hex[:10]}"
    answer = stack.request(
        "PUT", f"/v1/admin/products/{sku}", json={"name": 1}, token=stack.customer_token(BUYER)
    )
    body = problem(answer, 403)
    assert body.get("errors", []) == []
    assert "name" not in answer.text


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "data:text/html,<b>x</b>", "http://img.example/a.jpg", "https://", "ftp://x"],
)
def test_attachments_and_evidence_must_be_https_links(stack: StackClient, link: str) -> None:
    tea = product(stack, 5)
    order = delivered_order(stack, (tea, 1, 3900), customer=BUYER)
    asked = stack.request(
        "POST",
        f"/v1/orders/{order['id']}/returns",
        json={"reason": "quality_issue", "items": [{"sku": tea, "quantity": 1}], "evidence": [link]},
        token=stack.customer_token(BUYER),
    )
    problem(asked, 422, "validation_failed")
    opened = ok(
        stack.request(
            "POST",
            f"/v1/orders/{order['id']}/returns",
            json={"reason": "no_reason", "items": [{"sku": tea, "quantity": 1}]},
            token=stack.customer_token(BUYER),
        ),
        201,
    )
    for path, token in (
        (f"/v1/returns/{opened['id']}/messages", stack.customer_token(BUYER)),
        (f"/v1/admin/returns/{opened['id']}/messages", stack.admin_token()),
    ):
        answer = stack.request("POST", path, json={"body": "see", "attachments": [link]}, token=token)
        problem(answer, 422, "validation_failed")
    seen = ok(stack.request("GET", f"/v1/returns/{opened['id']}", token=stack.customer_token(BUYER)))
    assert seen.get("messages", []) == []
    fine = stack.request(
        "POST",
        f"/v1/returns/{opened['id']}/messages",
        json={"body": "see", "attachments": ["https://img.example/a.jpg"]},
        token=stack.customer_token(BUYER),
    )
    assert fine.status in (200, 201), fine.text


def test_one_payment_id_pays_one_order(stack: StackClient) -> None:
    tea = product(stack, 5)
    first = ok(place(stack, order_body((tea, 1, 3900)), BUYER), 201)
    second = ok(place(stack, order_body((tea, 1, 3900)), BUYER), 201)

    def paid_with(order: dict[str, Any], payment_id: str) -> Any:
        event = {
            "event_id": f"evt_{uuid.uuid4().hex[:12]}",
            "type": "payment.succeeded",
            "order_id": order["id"],
            "payment_id": payment_id,
            "amount": order["totals"]["total"],
            "currency": order["totals"]["currency"],
            "occurred_at": local_now(stack).isoformat(),
        }
        return ok(stack.webhook("/v1/webhooks/payments", event))["outcome"]

    assert paid_with(first, "pay_shared_1") == "paid"
    assert paid_with(second, "pay_shared_1") == "payment_id_in_use"
    assert stack.idle()
    as_buyer = {o["id"]: o["status"] for o in orders_of(stack, BUYER)}
    assert as_buyer[first["id"]] == "awaiting_fulfillment"
    assert as_buyer[second["id"]] == "pending_payment"
    detail = ok(stack.request("GET", f"/v1/admin/orders/{second['id']}", token=stack.admin_token()))
    assert detail["captured"] == 0
    assert [e["type"] for e in detail["timeline"]].count("payment_id_in_use") == 1
    assert paid_with(second, "pay_own_2") == "paid"


def _return_awaiting_parcel(stack: StackClient, buyer: str) -> dict[str, Any]:
    tea = product(stack, 5)
    order = delivered_order(stack, (tea, 1, 3900), customer=buyer)
    opened = ok(
        stack.request(
            "POST",
            f"/v1/orders/{order['id']}/returns",
            json={"reason": "no_reason", "items": [{"sku": tea, "quantity": 1}]},
            token=stack.customer_token(buyer),
        ),
        201,
    )
    assert opened["status"] == "awaiting_parcel"
    return dict(opened)


def _send_back(stack: StackClient, buyer: str, item: dict[str, Any], number: str, carrier: str = "sf") -> Any:
    return stack.request(
        "POST",
        f"/v1/returns/{item['id']}/shipment",
        json={"carrier": carrier, "tracking_number": number},
        token=stack.customer_token(buyer),
    )


def _return_status(stack: StackClient, buyer: str, item: dict[str, Any]) -> str:
    return str(
        ok(stack.request("GET", f"/v1/returns/{item['id']}", token=stack.customer_token(buyer)))["status"]
    )


def test_a_return_parcel_cannot_take_over_the_merchants_tracking_number(stack: StackClient) -> None:
    tea = product(stack, 5)
    merchant_order = ok(place(stack, order_body((tea, 1, 3900)), "cus_other"), 201)
    pay(stack, merchant_order)
    number = ship(stack, merchant_order)
    squatter = "cus_squat"
    item = _return_awaiting_parcel(stack, squatter)
    ok(_send_back(stack, squatter, item, number))  # accepted: the answer says nothing of other orders
    assert stack.request("POST", "/_local/idle").status == 200
    carrier_event(stack, number, "delivered", ok(stack.request("GET", "/_local/clock"))["now"])
    assert stack.idle()
    assert _return_status(stack, squatter, item) == "in_transit"  # someone else's parcel moved nothing
    other = ok(
        stack.request("GET", f"/v1/orders/{merchant_order['id']}", token=stack.customer_token("cus_other"))
    )
    assert other["status"] == "delivered"


def test_a_number_a_buyer_typed_first_never_blocks_the_merchant(stack: StackClient) -> None:
    number = f"SF{uuid.uuid4().hex[:10].upper()}"
    item = _return_awaiting_parcel(stack, "cus_first")
    ok(_send_back(stack, "cus_first", item, number))
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900)), "cus_later"), 201)
    pay(stack, order)
    shipped = stack.request(
        "POST",
        f"/v1/admin/orders/{order['id']}/shipments",
        json={"carrier": "sf", "tracking_number": number},
        token=stack.admin_token(),
    )
    assert shipped.status == 201, shipped.text


def test_a_number_two_buyers_claim_moves_neither_return(stack: StackClient) -> None:
    number = f"SF{uuid.uuid4().hex[:10].upper()}"
    first, second = _return_awaiting_parcel(stack, "cus_a"), _return_awaiting_parcel(stack, "cus_b")
    ok(_send_back(stack, "cus_a", first, number))
    ok(_send_back(stack, "cus_b", second, number))
    carrier_event(stack, number, "delivered", ok(stack.request("GET", "/_local/clock"))["now"])
    assert stack.idle()
    assert (_return_status(stack, "cus_a", first), _return_status(stack, "cus_b", second)) == (
        "in_transit",
        "in_transit",
    )


def test_carriers_come_from_the_known_list(stack: StackClient) -> None:
    item = _return_awaiting_parcel(stack, "cus_carrier")
    problem(_send_back(stack, "cus_carrier", item, "RT12345678", carrier="acme"), 422, "validation_failed")
    event = {
        "event_id": f"ev_{uuid.uuid4().hex[:10]}",
        "tracking_number": "RT12345678",
        "status": "delivered",
        "occurred_at": local_now(stack).isoformat(),
    }
    problem(stack.webhook("/v1/webhooks/carriers/acme", event), 422)


def test_a_body_signed_for_one_carrier_is_refused_on_another_carriers_path(stack: StackClient) -> None:
    event = {
        "event_id": f"ev_{uuid.uuid4().hex[:10]}",
        "tracking_number": "SF1234567890",
        "status": "delivered",
        "occurred_at": local_now(stack).isoformat(),
    }
    body = json.dumps(event).encode()
    signed_for_sf = stack.signature(stack.carrier_secret("sf"), body, int(local_now(stack).timestamp()))
    answer = stack.request(
        "POST",
        "/v1/webhooks/carriers/zto",
        body=body,
        headers={"Content-Type": "application/json", "X-Signature": signed_for_sf},
    )
    problem(answer, 401, "invalid_signature")
    master = stack.signature(stack.carrier_webhook_secret, body, int(local_now(stack).timestamp()))
    answer = stack.request(
        "POST",
        "/v1/webhooks/carriers/sf",
        body=body,
        headers={"Content-Type": "application/json", "X-Signature": master},
    )
    problem(answer, 401, "invalid_signature")  # the configured secret itself signs for no carrier
    assert stack.webhook("/v1/webhooks/carriers/sf", event).status in (200, 202)
