"""Every reason an order is refused: the exact problem+json, and nothing reserved or stored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from oms_local.testing import StackClient

from tests.e2e.shop import ADDRESS, inventory, ok, order_body, orders_of, place, product


def refused(stack: StackClient, body: dict[str, Any], skus: list[str]) -> dict[str, Any]:
    customer = f"cus_{uuid.uuid4().hex[:8]}"
    before = {sku: inventory(stack, sku) for sku in skus}
    answer = place(stack, body, customer)
    assert 400 <= answer.status < 500, answer.text
    assert answer.content_type == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == answer.status
    assert {"type", "title", "status", "detail", "code", "errors"} <= problem.keys()
    assert {sku: inventory(stack, sku) for sku in skus} == before  # nothing reserved
    assert orders_of(stack, customer) == []  # nothing stored
    return dict(problem)


def test_unknown_and_inactive_products(stack: StackClient) -> None:
    off = product(stack, 5, active=False)
    problem = refused(stack, order_body(("NO-SUCH", 1, 100), (off, 1, 3900)), [off])
    assert (problem["status"], problem["code"]) == (422, "order_invalid")
    assert problem["errors"] == [
        {"field": "items[0].sku", "message": "no product NO-SUCH", "code": "unknown_sku", "sku": "NO-SUCH"},
        {"field": "items[1].sku", "message": f"{off} is not on sale", "code": "product_inactive", "sku": off},
    ]


def test_price_changed_gives_the_current_prices(stack: StackClient) -> None:
    tea = product(stack, 5, price=4200)
    problem = refused(stack, order_body((tea, 1, 3900)), [tea])
    assert (problem["status"], problem["code"]) == (409, "price_changed")
    assert problem["errors"] == [
        {
            "field": "items[0].unit_price",
            "message": "the price is now 4200",
            "code": "price_changed",
            "sku": tea,
            "current_price": 4200,
        }
    ]


def test_insufficient_stock_names_each_short_sku_and_what_is_available(stack: StackClient) -> None:
    tea, cup, pen = product(stack, 2), product(stack, 0, price=1500), product(stack, 9, price=500)
    problem = refused(stack, order_body((tea, 3, 3900), (cup, 1, 1500), (pen, 9, 500)), [tea, cup, pen])
    assert (problem["status"], problem["code"]) == (409, "insufficient_stock")
    assert problem["errors"] == [
        {
            "field": "items[0].quantity",
            "message": "only 2 available",
            "code": "insufficient_stock",
            "sku": tea,
            "available": 2,
        },
        {
            "field": "items[1].quantity",
            "message": "only 0 available",
            "code": "insufficient_stock",
            "sku": cup,
            "available": 0,
        },
    ]


def test_quantity_limit(stack: StackClient) -> None:
    phone = product(stack, 10, price=699900, max_per_order=2)
    problem = refused(stack, order_body((phone, 3, 699900)), [phone])
    assert problem["code"] == "quantity_limit"
    assert problem["errors"][0]["max_per_order"] == 2


@pytest.mark.parametrize(
    ("coupon", "reason"),
    [
        (None, "unknown"),
        ({"kind": "percent", "value": 10, "ends_at": "2020-01-01T00:00:00Z"}, "expired"),
        ({"kind": "percent", "value": 10, "starts_at": "2099-01-01T00:00:00Z"}, "not_started"),
        ({"kind": "fixed", "value": 500, "min_subtotal": 100000}, "below_minimum"),
        ({"kind": "percent", "value": 10, "categories": ["toys"]}, "not_applicable"),
        ({"kind": "percent", "value": 10, "active": False}, "unknown"),
    ],
)
def test_a_coupon_that_cannot_be_used(stack: StackClient, coupon: dict[str, Any] | None, reason: str) -> None:
    tea = product(stack, 5)
    code = f"C{uuid.uuid4().hex[:8].upper()}"
    if coupon is not None:
        ok(stack.request("PUT", f"/v1/admin/coupons/{code}", json=coupon, token=stack.admin_token()))
    problem = refused(stack, order_body((tea, 1, 3900), coupon_code=code), [tea])
    assert (problem["status"], problem["code"]) == (422, "coupon_invalid")
    assert [(e["field"], e["code"], e["reason"]) for e in problem["errors"]] == [
        ("coupon_code", "coupon_invalid", reason)
    ]


def test_an_exhausted_coupon(stack: StackClient) -> None:
    tea = product(stack, 5)
    code = f"C{uuid.uuid4().hex[:8].upper()}"
    ok(
        stack.request(
            "PUT",
            f"/v1/admin/coupons/{code}",
            json={"kind": "fixed", "value": 500, "total_limit": 1},
            token=stack.admin_token(),
        )
    )
    ok(place(stack, order_body((tea, 1, 3900), coupon_code=code)), 201)
    problem = refused(stack, order_body((tea, 1, 3900), coupon_code=code), [tea])
    assert problem["errors"][0]["reason"] == "exhausted"


def test_an_incomplete_address_names_every_missing_field(stack: StackClient) -> None:
    tea = product(stack, 5)
    address = {**ADDRESS, "city": "", "postal_code": ""}
    del address["phone"]
    problem = refused(stack, order_body((tea, 1, 3900), shipping_address=address), [tea])
    assert (problem["status"], problem["code"]) == (422, "address_incomplete")
    assert [e["field"] for e in problem["errors"]] == [
        "shipping_address.phone",
        "shipping_address.city",
        "shipping_address.postal_code",
    ]


def test_a_payment_method_the_channel_does_not_offer(stack: StackClient) -> None:
    tea = product(stack, 5)
    problem = refused(
        stack, order_body((tea, 1, 3900), channel="mini_program", payment_method="alipay"), [tea]
    )
    assert problem["code"] == "payment_method_unavailable"
    assert problem["errors"][0]["available_methods"] == ["balance", "wechat_pay"]


def test_a_currency_mismatch(stack: StackClient) -> None:
    tea = product(stack, 5)
    problem = refused(stack, order_body((tea, 1, 3900), currency="USD"), [tea])
    assert problem["code"] == "currency_mismatch"


def test_every_problem_at_once(stack: StackClient) -> None:
    tea = product(stack, 1, price=4200)
    problem = refused(
        stack,
        order_body(
            (tea, 2, 3900), ("GHOST-1", 1, 10), coupon_code="NOPE", shipping_address={**ADDRESS, "line1": ""}
        ),
        [tea],
    )
    assert (problem["status"], problem["code"]) == (422, "order_invalid")
    assert [e["code"] for e in problem["errors"]] == [
        "price_changed",
        "insufficient_stock",
        "unknown_sku",
        "address_incomplete",
        "coupon_invalid",
    ]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b["items"][0].update(quantity=0), "items.0.quantity"),
        (lambda b: b["items"][0].update(quantity=-1), "items.0.quantity"),
        (lambda b: b["items"][0].update(quantity=10**9), "items.0.quantity"),
        (lambda b: b["items"][0].update(unit_price=39.0), "items.0.unit_price"),
        (lambda b: b["items"][0].update(quantity="2"), "items.0.quantity"),
        (lambda b: b.update(items=[]), "items"),
        (lambda b: b.update(payment_method="bitcoin"), "payment_method"),
        (lambda b: b.update(is_paid=True), "is_paid"),
        (lambda b: b["items"][0].update(sku="../etc"), "items.0.sku"),
    ],
)
def test_malformed_requests_are_422_and_change_nothing(stack: StackClient, mutate: Any, field: str) -> None:
    tea = product(stack, 5)
    body = order_body((tea, 1, 3900))
    mutate(body)
    problem = refused(stack, body, [tea])
    assert (problem["status"], problem["code"]) == (422, "validation_failed")
    assert field in [e["field"] for e in problem["errors"]]


def test_a_body_that_is_not_json_is_400(stack: StackClient) -> None:
    answer = stack.request(
        "POST",
        "/v1/orders",
        body="{not json",
        token=stack.customer_token(),
        headers={"Idempotency-Key": "k-1", "Content-Type": "application/json"},
    )
    assert answer.status == 400
    assert answer.json()["code"] == "malformed_json"
