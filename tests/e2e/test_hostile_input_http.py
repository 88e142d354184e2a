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

from tests.e2e.shop import delivered_order, ok, orders_of, product
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
    tea = product(stack, 5)
    order = delivered_order(stack, (tea, 1, 3900), customer=BUYER)
    opened = ok(
        stack.request(
            "POST",
            f"/v1/orders/{order['id']}/returns",
            json={"reason": "no_reason", "items": [{"sku": tea, "quantity": 1}]},
            token=stack.customer_token(BUYER),
            headers={"Idempotency-Key": uuid.uuid4().hex},
        ),
        201,
    )
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
