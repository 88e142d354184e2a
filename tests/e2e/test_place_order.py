"""Placing orders over HTTP: gateway -> storefront API -> place-order Express workflow -> steps -> DynamoDB."""

from __future__ import annotations

import threading
import uuid

from oms_local.testing import StackClient

from tests.e2e.shop import inventory, ok, order_body, orders_of, place, product


def test_an_order_is_placed_and_confirmed(stack: StackClient) -> None:
    tea = product(stack, 10)
    customer = f"cus_{uuid.uuid4().hex[:8]}"
    ok(
        stack.request(
            "PUT",
            f"/v1/admin/customers/{customer}",
            json={"locale": "en", "email": "buyer@example.com"},
            token=stack.admin_token(),
        )
    )

    answer = place(stack, order_body((tea, 3, 3900)), customer)

    order = ok(answer, 201)
    assert answer.headers["location"] == f"/v1/orders/{order['id']}"
    assert order["status"] == "pending_payment"
    assert order["totals"] == {
        "subtotal": 11700,
        "discount": 0,
        "shipping_fee": 0,
        "total": 11700,
        "currency": "CNY",
    }
    assert order["payment_due_at"] < order["estimated_ship_by"] < order["estimated_delivery_by"]
    assert [(i["sku"], i["quantity"], i["unit_price"]) for i in order["items"]] == [(tea, 3, 3900)]
    assert inventory(stack, tea)["available"] == 7
    again = ok(stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token(customer)))
    assert again["timeline"][0]["type"] == "placed"
    assert (
        ok(stack.request("GET", f"/v1/products/{tea}", token=stack.customer_token(customer)))["available"]
        == 7
    )

    assert stack.idle()
    sent = [n for n in stack.notifications() if order["id"] in (n.get("subject") or "") + n["body"]]
    email = next(n for n in sent if n["channel"] == "email")
    assert email["to"] == ["buyer@example.com"] or email["to"] == "buyer@example.com"
    for fact in (order["id"], "x 3", "¥39.00", "¥117.00", "Alipay", "人民路 1 号", "Estimated dispatch"):
        assert fact in email["body"]
    assert any(n["channel"] == "sms" for n in sent)


def test_a_chinese_customer_gets_the_notice_in_chinese(stack: StackClient) -> None:
    tea = product(stack, 5)
    customer = f"cus_{uuid.uuid4().hex[:8]}"
    ok(
        stack.request(
            "PUT",
            f"/v1/admin/customers/{customer}",
            json={"locale": "zh-CN", "email": "wang@example.cn"},
            token=stack.admin_token(),
        )
    )
    order = ok(place(stack, order_body((tea, 1, 3900)), customer), 201)
    assert stack.idle()
    email = next(n for n in stack.notifications() if n["channel"] == "email" and order["id"] in n["body"])
    assert "您的订单" in email["body"] and "预计发货" in email["body"] and "支付宝" in email["body"]


def test_the_same_key_and_body_give_the_first_answer_byte_for_byte(stack: StackClient) -> None:
    tea = product(stack, 10)
    key = uuid.uuid4().hex
    first = place(stack, order_body((tea, 2, 3900)), "cus_idem", key)
    second = place(stack, order_body((tea, 2, 3900)), "cus_idem", key)
    assert first.status == second.status == 201
    assert first.body == second.body
    assert inventory(stack, tea)["reserved"] == 2
    assert len(orders_of(stack, "cus_idem")) == 1


def test_the_same_key_with_another_body_is_refused(stack: StackClient) -> None:
    tea = product(stack, 10)
    key = uuid.uuid4().hex
    ok(place(stack, order_body((tea, 2, 3900)), "cus_reuse", key), 201)
    answer = place(stack, order_body((tea, 3, 3900)), "cus_reuse", key)
    assert answer.status == 409
    assert answer.content_type == "application/problem+json"
    assert answer.json()["code"] == "idempotency_key_reused"
    assert inventory(stack, tea)["reserved"] == 2


def test_concurrent_requests_with_one_key_make_one_order(stack: StackClient) -> None:
    tea = product(stack, 50)
    key = uuid.uuid4().hex
    answers = []
    start = threading.Barrier(6)

    def send() -> None:
        start.wait()
        answers.append(place(stack, order_body((tea, 1, 3900)), "cus_race", key))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(a.status for a in answers)
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert all(a.json()["code"] == "idempotency_key_in_use" for a in answers if a.status == 409)
    assert len({a.body for a in answers if a.status == 201}) == 1
    assert len(orders_of(stack, "cus_race")) == 1
    assert inventory(stack, tea)["reserved"] == 1


def test_an_order_needs_an_idempotency_key(stack: StackClient) -> None:
    tea = product(stack, 5)
    answer = stack.request(
        "POST", "/v1/orders", json=order_body((tea, 1, 3900)), token=stack.customer_token()
    )
    assert answer.status == 400
    assert answer.json()["code"] == "idempotency_key_required"
    assert inventory(stack, tea)["reserved"] == 0


def test_a_customer_sees_only_their_own_orders(stack: StackClient) -> None:
    tea = product(stack, 5)
    order = ok(place(stack, order_body((tea, 1, 3900)), "cus_owner"), 201)
    other = stack.request("GET", f"/v1/orders/{order['id']}", token=stack.customer_token("cus_other"))
    assert other.status == 404
    assert other.json()["code"] == "order_not_found"
    assert orders_of(stack, "cus_other") == []
    assert (
        stack.request(
            "POST", f"/v1/orders/{order['id']}/cancel", token=stack.customer_token("cus_other")
        ).status
        == 404
    )


def test_orders_are_listed_newest_first_with_a_cursor(stack: StackClient) -> None:
    tea = product(stack, 20)
    ids = [ok(place(stack, order_body((tea, 1, 3900)), "cus_list"), 201)["id"] for _ in range(5)]
    token = stack.customer_token("cus_list")
    page = ok(stack.request("GET", "/v1/orders?limit=2", token=token))
    seen = [o["id"] for o in page["items"]]
    while page["next_cursor"]:
        page = ok(stack.request("GET", f"/v1/orders?limit=2&cursor={page['next_cursor']}", token=token))
        seen += [o["id"] for o in page["items"]]
    assert seen == list(reversed(ids))


def test_customers_cannot_use_admin_routes(stack: StackClient) -> None:
    answer = stack.request(
        "PUT",
        "/v1/admin/products/X-1",
        json={"name": "x", "price": 1, "currency": "CNY", "category": "c"},
        token=stack.customer_token(),
    )
    assert answer.status == 403
    assert answer.json()["code"] == "forbidden"
    assert stack.request("GET", "/v1/admin/inventory/X-1", token=stack.customer_token()).status == 403
