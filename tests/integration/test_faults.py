"""The store and the lifecycle under injected throttling and transaction conflicts (20 % of DynamoDB calls).

AWS throttles and cancels transactions that meet another one; moto and DynamoDB Local never do. With
``oms_local.faults`` answering one DynamoDB call in five with such an error, stock, money and status must
stay exactly right, and nearly every request that could succeed must still succeed.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from oms import clock, ids
from oms.jobs import release_unpaid
from oms.lifecycle import cancellation, payments
from oms.lifecycle.refund_step import process as process_refund
from oms.placing import reserve, validate
from oms.problems import Problem
from oms.store import inventory, orders
from oms.store.table import StoreBusy, Table
from oms_local import faults
from oms_local.cloud import Cloud
from oms_local.testing import StackClient

from tests.e2e import shop
from tests.integration.helpers import on_order, order_request, step_input, stocked_product

RATE = 0.2
SERVED_AT_LEAST = 0.95  # of the orders the stock could serve: what busy refusals may cost at most


def _in_threads(count: int, work: Callable[[int], None]) -> None:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        start.wait()
        try:
            work(worker)
        except BaseException as error:  # reported below, with the thread's own traceback
            errors.append(error)
            raise

    threads = [threading.Thread(target=run, args=(w,)) for w in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _share_injected(injected: faults.Faults) -> float:
    return injected.total_injected / injected.total_calls


def test_concurrent_buyers_under_faults_never_oversell_and_are_served(cloud: Cloud) -> None:
    table = Table()
    stock = {stocked_product(table, n): n for n in (24, 30, 16)}
    skus = list(stock)
    rng = random.Random(5)
    baskets = [
        [(sku, rng.randint(1, 3), 3900) for sku in rng.sample(skus, rng.randint(1, 2))] for _ in range(72)
    ]
    outcomes: list[tuple[list[tuple[str, int, int]], str, dict[str, Any] | None]] = []
    lock = threading.Lock()

    def buyer(worker: int) -> None:
        for basket in baskets[worker::12]:
            try:
                checked = validate(step_input(order_request(*basket), f"cus_{worker}"), table)
                result = reserve(checked, table) if checked["ok"] else checked
            except StoreBusy:
                outcome: tuple[str, dict[str, Any] | None] = ("busy", None)
            else:
                outcome = ("placed", result["order"]) if result["ok"] else (result["problem"]["code"], None)
            with lock:
                outcomes.append((basket, *outcome))

    with faults.inject(RATE, seed=1) as injected:
        _in_threads(12, buyer)

    counts = Counter(kind for _, kind, _ in outcomes)
    assert set(counts) <= {"placed", "insufficient_stock", "busy"}, counts
    sold: Counter[str] = Counter()
    for _, kind, order in outcomes:
        if kind == "placed":
            assert order is not None
            stored = orders.get(table, order["id"])
            assert stored is not None and stored["status"] == "pending_payment"
            for line in stored["lines"]:
                sold[line["sku"]] += line["reserved"]
    final = {}
    for sku, received in stock.items():
        levels = inventory.levels(table, sku)
        assert levels.pool.on_hand == received
        assert levels.pool.reserved == sold[sku]  # reserved == the sum of the open orders' reservations
        assert levels.pool.available == received - sold[sku] >= 0  # never oversold
        final[sku] = levels.pool.available
    # Stock only went down during the run, so a basket refused for stock is one the final stock cannot
    # serve either: no refusal for stock was a fault in disguise.
    for basket, kind, _ in outcomes:
        if kind == "insufficient_stock":
            assert any(qty > final[sku] for sku, qty, _ in basket), basket
    servable = counts["placed"] + counts["busy"]
    assert counts["placed"] >= SERVED_AT_LEAST * servable, counts
    assert counts["placed"] > 0 and counts["insufficient_stock"] > 0
    # Which kind meets which call depends on the threads' order; that transactions were hit does not.
    assert injected.faulted["TransactWriteItems"] > 0
    assert injected.injected[faults.THROTTLING] + injected.injected[faults.PROVISIONED] > 0
    assert 0.1 < _share_injected(injected) < 0.3


def test_transaction_conflicts_are_retried_and_conditions_are_answers(cloud: Cloud) -> None:
    """One buyer at a time, so the draw is the same every run: conflicts retried, a failed condition not."""
    table = Table()
    sku = stocked_product(table, 3)
    answers = []
    with faults.inject(0.5, seed=7, weights={faults.TRANSACTION_CONFLICT: 1}) as injected:
        for n in range(6):
            checked = validate(step_input(order_request((sku, 1, 3900)), f"cus_t{n}"), table)
            result = reserve(checked, table) if checked["ok"] else checked
            answers.append("placed" if result["ok"] else result["problem"]["code"])
    assert answers == ["placed"] * 3 + ["insufficient_stock"] * 3
    assert injected.injected[faults.TRANSACTION_CONFLICT] >= 3
    assert inventory.levels(table, sku).pool.reserved == 3


def _placed(table: Table, sku: str, customer: str) -> dict[str, Any]:
    checked = validate(step_input(order_request((sku, 1, 3900)), customer), table)
    assert checked["ok"], checked
    return dict(reserve(checked, table)["order"])


def _payment(order: dict[str, Any], kind: str = "payment.succeeded", **extra: Any) -> payments.PaymentEvent:
    return payments.PaymentEvent(
        event_id=ids.new_id("evt"),
        type=kind,
        order_id=order["id"],
        payment_id=f"pay_{order['id']}",
        amount=order["totals"]["total"],
        currency=order["totals"]["currency"],
        occurred_at=clock.now(),
        **extra,
    )


def _check_money_and_stock(
    table: Table, sku: str, received: int, placed: list[dict[str, Any]]
) -> Counter[str]:
    statuses: Counter[str] = Counter()
    held = 0
    for order in placed:
        stored, children = orders.record_for(table, order["id"], None)
        statuses[stored["status"]] += 1
        total = order["totals"]["total"]
        assert stored["captured"] in (0, total)  # charged once or not at all, never twice
        assert 0 <= stored["refunded"] <= stored["captured"]
        assert stored["refundable"] == stored["captured"] - stored["refunded"]
        refunds = [c for c in children if c["sk"].startswith("REFUND#")]
        assert sum(r["amount"] for r in refunds) == stored["refunded"]
        if stored["status"] == "cancelled":
            assert stored["refunded"] == stored["captured"]  # nothing kept for an order not delivered
        else:
            assert stored["status"] == "awaiting_fulfillment" and stored["captured"] == total
            held += 1
        for refund in refunds:
            assert process_refund(table, order["id"], refund["id"]) in ("succeeded", "already_settled")
    levels = inventory.levels(table, sku)
    assert (levels.pool.on_hand, levels.pool.reserved) == (received, held)  # stock balanced
    return statuses


def test_payments_racing_cancels_and_release_unpaid_under_faults_charge_once(cloud: Cloud) -> None:
    table = Table()
    sku = stocked_product(table, 40)
    by_cancel = [_placed(table, sku, f"cus_c{i}") for i in range(8)]
    by_release = [_placed(table, sku, f"cus_r{i}") for i in range(6)]
    answers: Counter[str] = Counter()
    lock = threading.Lock()

    def tally(answer: str) -> None:
        with lock:
            answers[answer] += 1

    def pay_or_cancel(worker: int) -> None:
        order = by_cancel[worker // 2]
        if worker % 2 == 0:
            event = _payment(order)
            tally(payments.handle(table, event))
            tally("again:" + payments.handle(table, event))  # the provider delivers it again
        else:
            try:
                on_order(
                    table,
                    order["id"],
                    lambda o: cancellation.cancel(table, o, by="cus", reason="customer_request"),
                )
                tally("cancelled")
            except Problem as refused:
                tally(refused.code)

    def pay_or_release(worker: int) -> None:
        if worker == len(by_release):
            release_unpaid.run(table)
            tally("release-unpaid ran")
        else:
            tally(payments.handle(table, _payment(by_release[worker])))

    with faults.inject(RATE, seed=2) as injected:
        _in_threads(2 * len(by_cancel), pay_or_cancel)
        clock.advance(31 * 60)
        try:
            _in_threads(len(by_release) + 1, pay_or_release)
        finally:
            clock.reset()
        statuses = _check_money_and_stock(table, sku, 40, by_cancel + by_release)

    assert set(answers) <= {
        "paid",
        "refunded",
        "again:duplicate",
        "cancelled",
        "invalid_transition",
        "release-unpaid ran",
    }, answers
    assert answers["again:duplicate"] == len(by_cancel)  # a repeated payment event is applied once
    assert statuses["cancelled"] > 0
    assert injected.faulted["TransactWriteItems"] > 0


def test_a_webhook_delivered_several_times_under_faults_applies_once(cloud: Cloud) -> None:
    table = Table()
    sku = stocked_product(table, 10)
    placed = [_placed(table, sku, f"cus_w{i}") for i in range(4)]
    events = [_payment(order) for order in placed]
    answers: list[str] = []
    lock = threading.Lock()

    def deliver(worker: int) -> None:
        answer = payments.handle(table, events[worker % len(events)])
        with lock:
            answers.append(answer)

    with faults.inject(RATE, seed=3) as injected:
        _in_threads(4 * len(events), deliver)  # each event four times, at once
    assert Counter(answers) == {"paid": len(events), "duplicate": 3 * len(events)}
    for order in placed:
        stored = orders.get(table, order["id"])
        assert stored is not None
        assert (stored["status"], stored["captured"], stored["version"]) == (
            "awaiting_fulfillment",
            order["totals"]["total"],
            2,
        )
        assert [e["type"] for e in stored["timeline"]].count("pay") == 1
    assert injected.total_injected > 0


def test_orders_placed_over_http_with_faults_in_the_stack_never_answer_5xx(stack: StackClient) -> None:
    skus = {shop.product(stack, n): n for n in (5, 8)}
    rng = random.Random(9)
    baskets = [[(sku, rng.randint(1, 2), 3900) for sku in rng.sample(list(skus), 1)] for _ in range(24)]
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def buyer(worker: int) -> None:
        for basket in baskets[worker::8]:
            key = uuid.uuid4().hex
            answer = shop.place(stack, shop.order_body(*basket), f"cus_f{worker}", key)
            while answer.status == 409 and answer.json()["code"] == "idempotency_key_in_use":
                time.sleep(0.05)  # documented as safe to retry with the same key
                answer = shop.place(stack, shop.order_body(*basket), f"cus_f{worker}", key)
            code = answer.json().get("code", "") if answer.status != 201 else ""
            with lock:
                answers.append((answer.status, code))

    # The faults live in this process's DynamoDB clients, so the functions run here for this test.
    with stack.functions_in_process(), faults.inject(RATE, seed=4) as injected:
        _in_threads(8, buyer)
    statuses = Counter(status for status, _ in answers)
    assert all(status < 500 for status in statuses), answers
    assert set(answers) <= {(201, ""), (409, "insufficient_stock")}, answers
    placed = statuses[201]
    reserved = sum(shop.inventory(stack, sku)["reserved"] for sku in skus)
    assert placed > 0 and reserved <= sum(skus.values())
    assert injected.total_injected > 0
