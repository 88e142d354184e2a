"""Outbound webhooks under at-least-once delivery, on each engine: an event fanned out twice, an attempt
queued twice or sent by two senders at once, and a sender that dies after claiming its attempt — each
subscriber is still called once per attempt, and the delivery ends delivered."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from oms import clock
from oms.consumers import receive
from oms.domain import webhooks as rules
from oms.lifecycle import webhook_deliveries
from oms.lifecycle.webhook_sending import send
from oms.store import webhooks as stored
from oms.store.table import Table
from oms_local.cloud import Cloud

from tests.webhook_subscriber import Subscriber

PAID = {"order_id": "ord_wh0000000000000000001", "customer_id": "cus_1", "amount": 2500, "review": []}


@pytest.fixture
def endpoint() -> Iterator[Subscriber]:
    made = Subscriber()
    yield made
    made.close()


def _queued(cloud: Cloud) -> list[rules.Attempt]:
    sqs = cloud.client("sqs")
    url = cloud.queue_url("WebhookSendQueue")
    found: list[rules.Attempt] = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600)
        messages = answer.get("Messages") or []
        if not messages:
            return found
        found += [rules.Attempt.model_validate_json(m["Body"]) for m in messages]


def _subscribe(table: Table, url: str) -> dict[str, Any]:
    return stored.create(
        table, "whk_it000000000000000001", {"url": url, "event_types": ["order.paid"]}, rules.new_secret()
    )


def _event(event_id: str = "evt_it_1") -> Any:
    # A redelivered event is the same bus message: the same id and the same time.
    stamp = {"event_id": event_id, "occurred_at": "2026-12-04T03:00:00.000Z", "schema_version": 1}
    return receive("OrderPaid", {**PAID, **stamp})


def test_an_event_fanned_out_twice_is_one_delivery_sent_once(cloud: Cloud, endpoint: Subscriber) -> None:
    table = Table()
    subscription = _subscribe(table, endpoint.url)
    assert webhook_deliveries.fan_out(table, _event()) == 1
    assert webhook_deliveries.fan_out(table, _event()) == 1  # redelivered by SQS
    (delivery,) = stored.deliveries(table, subscription["id"], 10)
    attempts = _queued(cloud)
    assert len(attempts) == 2 and {a.attempt for a in attempts} == {1}  # queued again, never recorded again
    assert [send(table, a) for a in attempts] == ["delivered", "already_handled"]
    assert len(endpoint.received) == 1
    body = json.loads(endpoint.received[0][1])
    assert (body["type"], body["sequence"], body["data"]["amount"]) == ("order.paid", 1, 2500)
    assert stored.get_delivery(table, subscription["id"], delivery["id"])["status"] == "delivered"
    # A second event of the order gets the next number, and a redelivered one keeps its own.
    webhook_deliveries.fan_out(table, _event("evt_it_2"))
    assert stored.sequence_of(table, PAID["order_id"], "evt_it_2") == 2
    assert stored.sequence_of(table, PAID["order_id"], "evt_it_1") == 1


def test_two_senders_with_the_same_attempt_call_once(cloud: Cloud, endpoint: Subscriber) -> None:
    table = Table()
    _subscribe(table, endpoint.url)
    webhook_deliveries.fan_out(table, _event())
    (attempt,) = _queued(cloud)
    outcomes: list[str] = []
    threads = [threading.Thread(target=lambda: outcomes.append(send(Table(), attempt))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_handled"] * 3 + ["delivered"]
    assert len(endpoint.received) == 1


def test_a_sender_that_dies_after_its_claim_is_followed_by_the_next_attempt(
    cloud: Cloud, endpoint: Subscriber
) -> None:
    table = Table()
    subscription = _subscribe(table, endpoint.url)
    webhook_deliveries.fan_out(table, _event())
    (attempt,) = _queued(cloud)
    # The sender claims attempt 1 and dies before calling (or before recording the call).
    assert stored.claim(table, subscription["id"], attempt.delivery_id, 1) is not None
    assert send(table, attempt) == "already_handled"  # the queue's redelivery finds the claim held
    assert webhook_deliveries.retry_due(table) == {"queued": 0}  # the claim has not expired yet
    clock.advance((stored.CLAIM_EXPIRES + timedelta(seconds=1)).total_seconds())
    assert webhook_deliveries.retry_due(table) == {"queued": 1}
    assert webhook_deliveries.retry_due(table) == {"queued": 0}  # queued once, not at every run
    (following,) = _queued(cloud)
    assert following.attempt == 2
    assert send(table, following) == "delivered"
    delivery = stored.get_delivery(table, subscription["id"], attempt.delivery_id)
    assert delivery["status"] == "delivered" and [a["n"] for a in delivery["attempts"]] == [2]
    assert "timer_kind" not in delivery
    assert len(endpoint.received) == 1
