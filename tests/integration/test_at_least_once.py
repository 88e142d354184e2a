"""Lambda, SQS, EventBridge and Step Functions deliver at least once: every handler, invoked twice with
the same event, changes state once (the sample events of events/ are the ones AWS would send)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from oms import aws, clock
from oms.notices import sending
from oms.placing import reserve, validate
from oms.store import inventory, orders
from oms.store.table import Table
from oms_local.cloud import Cloud

from tests.integration.helpers import order_request, step_input, stocked_product

EVENTS = Path(__file__).resolve().parents[2] / "events"


def twice(cloud: Cloud, function: str, event: Any) -> list[Any]:
    results = []
    for _ in range(2):
        invocation = cloud.functions.invoke(function, copy.deepcopy(event))
        assert not invocation.failed, invocation.error
        results.append(invocation.result)
    return results


def test_the_place_order_steps_twice_place_one_order(cloud: Cloud) -> None:
    table = Table()
    tea = stocked_product(table, 10)
    event = step_input(order_request((tea, 2, 3900)))
    checked, again = twice(cloud, "ValidateOrderFunction", event)
    assert checked["ok"] and again["ok"]  # validation reads only: the same answer but for the clock
    assert checked["draft"]["order_id"] == again["draft"]["order_id"]
    first, second = twice(cloud, "ReserveStockFunction", checked)
    assert first == second
    assert inventory.levels(table, tea).pool.reserved == 2


def _placed_notice(table: Table, name: str) -> tuple[dict[str, Any], str]:
    """The notify queue's sample record, about a freshly placed order: the record and its event id."""
    tea = stocked_product(table, 10)
    order = reserve(validate(step_input(order_request((tea, 1, 3900))), table), table)["order"]
    event = json.loads((EVENTS / "notify.json").read_text())
    body = json.loads(event["Records"][0]["body"])
    event_id = f"{order['id']}:placed-{name}"
    body["detail"].update(order_id=order["id"], event_id=event_id)
    event["Records"][0]["body"] = json.dumps(body)
    return event, event_id


def test_a_notice_redelivered_by_sqs_is_sent_once(cloud: Cloud) -> None:
    event, _ = _placed_notice(Table(), "sample")
    before = len(_sms(cloud))
    twice(cloud, "NotifyFunction", event)
    assert len(_sms(cloud)) == before + 1


def test_a_notice_whose_claim_a_dead_attempt_holds_is_retried_not_skipped(cloud: Cloud) -> None:
    """An attempt that timed out after claiming the event: its redelivery must not count as "already
    sent" (the notice would be lost); it fails and is delivered again until the claim expires."""
    table = Table()
    event, event_id = _placed_notice(table, "held")
    assert sending._claim(table, event_id)  # the attempt that died holding it
    before = len(_sms(cloud))
    held = cloud.functions.invoke("NotifyFunction", copy.deepcopy(event))
    assert held.failed  # the record is delivered again, not deleted as sent
    assert len(_sms(cloud)) == before
    clock.advance(sending.LEASE_OUTSIDE_AN_INVOCATION.total_seconds() + 1)
    try:
        twice(cloud, "NotifyFunction", event)
    finally:
        clock.reset()
    assert len(_sms(cloud)) == before + 1


def test_a_notice_whose_attempt_failed_is_sent_by_the_next_delivery_without_waiting(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An attempt that fails after claiming (SNS refused the SMS) gives the claim back: the record's next
    delivery, a moment later in the local stack, sends the notice instead of meeting the claim until the
    failed invocation's time is up."""
    event, _ = _placed_notice(Table(), "refused")
    sns = aws.client("sns")
    publish = sns.publish
    refused: list[str] = []

    def refuse_once(**request: Any) -> Any:
        if not refused:
            refused.append(request["PhoneNumber"])
            raise ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "Publish")
        return publish(**request)

    monkeypatch.setattr(sns, "publish", refuse_once)
    before = len(_sms(cloud))
    assert cloud.functions.invoke("NotifyFunction", copy.deepcopy(event)).failed
    assert refused and len(_sms(cloud)) == before
    twice(cloud, "NotifyFunction", event)
    assert len(_sms(cloud)) == before + 1


def _sms(cloud: Cloud) -> list[Any]:
    from moto.sns.models import sns_backends

    return list(sns_backends["123456789012"]["us-east-1"].sms_messages.values())


def test_release_unpaid_twice_releases_once(cloud: Cloud) -> None:
    table = Table()
    tea = stocked_product(table, 10)
    order = reserve(validate(step_input(order_request((tea, 3, 3900))), table), table)["order"]
    clock.advance(31 * 60)
    try:
        first, second = twice(cloud, "ReleaseUnpaidFunction", {})
    finally:
        clock.reset()
    assert first["released"] >= 1 and second["released"] == 0
    assert inventory.levels(table, tea).pool.reserved == 0
    stored = orders.get(table, order["id"])
    assert stored is not None and [e["type"] for e in stored["timeline"]] == ["placed", "expire"]


def test_a_refund_requested_twice_is_paid_once(cloud: Cloud) -> None:
    from oms import ids
    from oms.lifecycle import payments

    table = Table()
    tea = stocked_product(table, 10)
    order = reserve(validate(step_input(order_request((tea, 1, 3900))), table), table)["order"]
    payments.handle(
        table,
        payments.PaymentEvent(
            event_id=ids.new_id("evt"),
            type="payment.succeeded",
            order_id=order["id"],
            payment_id="pay_x",
            amount=4900,
            currency="CNY",
            occurred_at=clock.now(),
        ),
    )
    from oms.lifecycle import cancellation

    cancellation.cancel(table, orders.get(table, order["id"]), by="cus_1", reason="customer_request")
    _, children = orders.record_for(table, order["id"], None)
    refund = next(c for c in children if c["sk"].startswith("REFUND#"))
    message: dict[str, Any] = {
        "detail-type": "RefundRequested",
        "detail": {
            "event_id": f"evt_{refund['id']}",
            "order_id": order["id"],
            "customer_id": order["customer_id"],
            "refund_id": refund["id"],
            "amount": refund["amount"],
        },
    }
    event = {
        "Records": [
            {
                "messageId": "m-1",
                "receiptHandle": "r",
                "body": json.dumps(message),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
        ]
    }
    twice(cloud, "RefundFunction", event)
    final, children = orders.record_for(table, order["id"], None)
    assert final["refunded"] == 4900
    assert [c["status"] for c in children if c["sk"].startswith("REFUND#")] == ["succeeded"]
