"""Bus consumers get the catalogue's model: a tolerant reader of new fields, strict about missing ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from oms.consumers import Received, bus_consumer, receive
from oms.event_catalogue import OrderPaid, RefundIssued, ReturnApproved
from pydantic import ValidationError

PAID = {"order_id": "ord_1", "customer_id": "cus_1", "amount": 2500, "review": []}
STAMP = {
    "event_id": "evt_1",
    "occurred_at": "2026-12-04T00:00:00Z",
    "correlation_id": "cor_1",
    "schema_version": 1,
}


def test_a_detail_becomes_its_model_with_the_envelope_beside_it() -> None:
    received = receive("OrderPaid", {**PAID, **STAMP})
    assert received is not None
    assert received.event == OrderPaid(**PAID)
    assert received.event_id == "evt_1"
    assert received.detail_type == "OrderPaid"
    # What the renderers and counters read: the checked fields and the envelope, schema version included.
    assert received.detail == {**PAID, **STAMP}


def test_a_field_the_model_does_not_know_is_dropped() -> None:
    received = receive("OrderPaid", {**PAID, **STAMP, "loyalty_points": 12})
    assert received is not None
    assert "loyalty_points" not in received.detail


def test_a_missing_or_mistyped_field_fails_the_event() -> None:
    with pytest.raises(ValidationError):
        receive("OrderPaid", {"order_id": "ord_1", "customer_id": "cus_1", **STAMP})
    with pytest.raises(ValidationError):
        receive("OrderPaid", {**PAID, "amount": "lots", **STAMP})


def test_an_optional_field_absent_stays_absent() -> None:
    received = receive(
        "RefundIssued", {"order_id": "o", "customer_id": "c", "refund_id": "r", "amount": 1, **STAMP}
    )
    assert received is not None and isinstance(received.event, RefundIssued)
    assert "return_id" not in received.detail


def test_a_type_outside_the_catalogue_is_none() -> None:
    assert receive("SomethingNew", {**PAID, **STAMP}) is None


class LambdaContext:
    aws_request_id = "req-1"
    function_name = "consumer"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:consumer"


def _sqs(*details: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{n}",
                "receiptHandle": "r",
                "body": json.dumps({"detail-type": kind, "source": "oms", "detail": detail}),
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
            for n, (kind, detail) in enumerate(details)
        ]
    }


def test_the_consumer_hands_models_and_fails_only_the_malformed_record() -> None:
    seen: list[Received] = []
    handler = bus_consumer(seen.append)
    approved = {"order_id": "ord_2", "customer_id": "cus_1", "return_id": "ret_1", **STAMP}
    result = handler(
        _sqs(
            ("OrderPaid", {**PAID, **STAMP}),
            ("OrderPaid", {"order_id": "ord_3", **STAMP}),  # no amount: fails, retried, then dead-lettered
            ("SomethingNew", {**PAID, **STAMP}),  # another publisher's: skipped, not failed
            ("ReturnApproved", approved),
        ),
        LambdaContext(),
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert [type(r.event) for r in seen] == [OrderPaid, ReturnApproved]
    assert isinstance(seen[1].event, ReturnApproved) and seen[1].event.return_id == "ret_1"
