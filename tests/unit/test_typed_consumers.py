"""Bus consumers get the catalogue's model: a tolerant reader of new fields, strict about missing ones."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from oms.consumers import AllRecordsFailed, Received, bus_consumer, receive
from oms.event_catalogue import OrderPaid, RefundIssued, ReturnApproved
from pydantic import ValidationError

from tests.unit.conftest import Logs

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


def test_a_failed_record_is_logged_and_only_it_comes_back(logs: Logs) -> None:
    handler = bus_consumer(lambda received: None)
    result = handler(
        _sqs(("OrderPaid", {**PAID, **STAMP}), ("OrderPaid", {"order_id": "ord_3", **STAMP})), LambdaContext()
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    (failure,) = logs.lines("record failed: it will be delivered again")
    assert failure["message_id"] == "m1" and "ValidationError" in failure["exception"]


def test_a_batch_whose_every_record_fails_fails_the_invocation() -> None:
    # Lambda then counts an error (the function's alarms see it) and delivers the whole batch again.
    handler = bus_consumer(lambda received: None)
    broken = ("OrderPaid", {"order_id": "ord_3", **STAMP})
    with pytest.raises(AllRecordsFailed):
        handler(_sqs(broken, broken), LambdaContext())
    assert handler({"Records": []}, LambdaContext()) == {"batchItemFailures": []}


def test_records_claim_until_the_invocation_ends() -> None:
    from datetime import timedelta

    from oms import clock, invocation

    class Context(LambdaContext):
        def get_remaining_time_in_millis(self) -> int:
            return 7_000

    leases: list[timedelta] = []
    handler = bus_consumer(lambda received: leases.append(invocation.claim_until(timedelta(0)) - clock.now()))
    handler(_sqs(("OrderPaid", {**PAID, **STAMP})), Context())
    assert len(leases) == 1 and timedelta(seconds=6) < leases[0] <= timedelta(seconds=7)


def test_a_consumer_loads_no_parser_model_of_other_event_sources() -> None:
    """The cold start of every SQS consumer: powertools' batch utility would build them all (figure 4)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, oms.consumers; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'oms.consumers'" in loaded
    assert "aws_lambda_powertools.utilities.parser" not in loaded
    assert "aws_lambda_powertools.utilities.batch" not in loaded
