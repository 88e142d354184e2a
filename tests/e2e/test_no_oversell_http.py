"""Tens of buyers at once over HTTP on a few SKUs with little stock, on each DynamoDB engine."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter

from oms_local.testing import StackClient

from tests.e2e.shop import inventory, ok, order_body, place, product


def test_concurrent_buyers_over_http_never_oversell(engine_stack: StackClient) -> None:
    stack = engine_stack
    stock = {product(stack, n): n for n in (4, 6, 3)}
    skus = list(stock)
    rng = random.Random(11)
    baskets = [
        [(sku, rng.randint(1, 2), 3900) for sku in rng.sample(skus, rng.randint(1, 2))] for _ in range(48)
    ]
    answers: list[tuple[list[tuple[str, int, int]], int, dict]] = []
    lock = threading.Lock()
    start = threading.Barrier(24)

    def buyer(worker: int) -> None:
        start.wait()
        for basket in baskets[worker::24]:
            key = uuid.uuid4().hex
            answer = place(stack, order_body(*basket), f"cus_{worker}", key)
            for _ in range(40):
                # A client retries with the same key whatever it was told to retry (a key still in use after
                # a dropped connection, a busy store); the final answer is what counts.
                if answer.status not in (409, 503) or answer.json()["code"] == "insufficient_stock":
                    break
                time.sleep(0.05)
                answer = place(stack, order_body(*basket), f"cus_{worker}", key)
            with lock:
                answers.append((basket, answer.status, answer.json()))

    threads = [threading.Thread(target=buyer, args=(w,)) for w in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert {status for _, status, _ in answers} <= {201, 409}, answers
    placed = [body for _, status, body in answers if status == 201]
    assert all(body["code"] == "insufficient_stock" for _, status, body in answers if status == 409), [
        body for _, status, body in answers if status == 409 and body["code"] != "insufficient_stock"
    ]
    sold: Counter[str] = Counter()
    for order in placed:
        stored = ok(
            stack.request(
                "GET", f"/v1/orders/{order['id']}", token=stack.customer_token(order["customer_id"])
            )
        )
        assert stored["status"] == "pending_payment"
        for item in stored["items"]:
            sold[item["sku"]] += item["quantity"]
    for sku, _received in stock.items():
        levels = inventory(stack, sku)
        assert levels["reserved"] == sold[sku]  # no reservation without its order, no order without it
        assert levels["on_hand"] - levels["reserved"] == levels["available"] >= 0
    assert sum(sold.values()) <= sum(stock.values())
    assert any(sold[sku] == stock[sku] for sku in skus)  # demand exceeded supply: stock really ran out
