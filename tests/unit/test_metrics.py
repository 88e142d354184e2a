"""Business metrics are EMF lines on stdout: the shape CloudWatch reads, counted where events are published,
plus stock rejections and webhook signature failures (with secret rotation, where two secrets verify)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from oms import aws, clock, config, correlation, events, metrics, secrets, signatures
from oms import event_catalogue as ev
from oms.domain.ordering import OrderRejected
from oms.problems import FieldError, Unauthorized


@pytest.fixture(autouse=True)
def _namespace(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "OMS/test")
    config.reload()
    correlation.clear()
    yield
    monkeypatch.undo()
    config.reload()


def emf_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if '"_aws"' in line]


def points(output: str) -> list[tuple[str, float, dict[str, str]]]:
    """(metric name, value, dimensions of the most detailed set) per EMF line."""
    found = []
    for line in emf_lines(output):
        directive = line["_aws"]["CloudWatchMetrics"][0]
        (metric,) = directive["Metrics"]
        widest = max(directive["Dimensions"], key=len)
        found.append((metric["Name"], line[metric["Name"]], {d: line[d] for d in widest}))
    return found


class FakeEvents:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {"FailedEntryCount": 1 if self.fail else 0, "Entries": [{}]}


def test_one_emf_line_has_the_shape_cloudwatch_reads(capsys: pytest.CaptureFixture[str]) -> None:
    metrics.emit("ReturnsRequested", dimensions={"reason": "damaged"}, metadata={"order_id": "ord_1"})
    (line,) = emf_lines(capsys.readouterr().out)
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "OMS/test"
    assert directive["Metrics"] == [{"Name": "ReturnsRequested", "Unit": "Count"}]
    # The total (what alarms watch) and the breakdown, from one line.
    assert directive["Dimensions"] == [["service"], ["service", "reason"]]
    assert line["ReturnsRequested"] == 1
    assert (line["service"], line["reason"], line["order_id"]) == ("oms", "damaged", "ord_1")
    assert isinstance(line["_aws"]["Timestamp"], int)


C = {"order_id": "ord_1", "customer_id": "cus_1"}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (ev.OrderPlaced(**C, total=7800), [("OrdersPlaced", 1, {"service": "oms"})]),
        (ev.OrderPaid(**C, amount=7800, review=[]), [("PaymentsCaptured", 1, {"service": "oms"})]),
        (ev.PaymentFailed(**C, payment_due_at=None), [("PaymentsFailed", 1, {"service": "oms"})]),
        (
            ev.OrderCancelled(**C, reason="payment_timeout"),
            [("OrdersCancelled", 1, {"service": "oms", "reason": "payment_timeout"})],
        ),
        (
            ev.ReturnRequested(**C, return_id="ret_1", reason="damaged"),
            [("ReturnsRequested", 1, {"service": "oms", "reason": "damaged"})],
        ),
        (
            ev.RefundIssued(**C, refund_id="ref_1", amount=1234),
            [("RefundsIssued", 1, {"service": "oms"}), ("RefundedAmount", 1234.0, {"service": "oms"})],
        ),
        (
            ev.SlaBreached(**C, subject_id="ord_1", kind="order_review", deadline=None),
            [("SlaBreaches", 1, {"service": "oms", "kind": "order_review"})],
        ),
        (
            ev.OrderShipped(**C, shipment_id="shp_1", carrier="sf", tracking_number="SF1", complete=True),
            [],
        ),
    ],
)
def test_publishing_a_domain_event_counts_what_it_stands_for(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    event: ev.DomainEvent,
    expected: list[tuple[str, float, dict[str, str]]],
) -> None:
    monkeypatch.setattr(aws, "client", lambda service: FakeEvents())
    correlation.use("cid-m")
    events.publish(event, "e1")
    output = capsys.readouterr().out
    assert points(output) == expected
    for line in emf_lines(output)[:1]:
        assert line["correlation_id"] == "cid-m"


def test_an_event_the_bus_refused_is_not_counted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(aws, "client", lambda service: FakeEvents(fail=True))
    with pytest.raises(events.EventPublishFailed):
        events.publish(ev.OrderPlaced(**C, total=1), "e1")
    assert points(capsys.readouterr().out) == []


def test_an_order_refused_for_stock_counts_a_stock_rejection(capsys: pytest.CaptureFixture[str]) -> None:
    short = FieldError("items[0].quantity", "only 1 left", {"code": "insufficient_stock", "available": 1})
    moved = FieldError("items[1].unit_price", "now 4100", {"code": "price_changed"})
    metrics.order_rejected(OrderRejected([short, moved]).to_dict())
    metrics.order_rejected(OrderRejected([moved]).to_dict())
    assert points(capsys.readouterr().out) == [("StockRejections", 1, {"service": "oms"})]


# ---------------------------------------------------------------------------------------------- webhooks


@dataclass
class LambdaContext:
    aws_request_id: str = "req-1"
    function_name: str = "webhooks"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:webhooks"


def webhook_event(body: str, signature: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /v1/webhooks/payments",
        "rawPath": "/v1/webhooks/payments",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "x-signature": signature},
        "requestContext": {
            "requestId": "api-1",
            "http": {
                "method": "POST",
                "path": "/v1/webhooks/payments",
                "sourceIp": "1.2.3.4",
                "userAgent": "t",
            },
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def test_a_forged_webhook_is_refused_and_counted_per_source(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAYMENT_WEBHOOK_SECRET", "the-real-secret")
    config.reload()
    from oms.api.webhooks import app
    from oms.http import api_handler

    body = json.dumps({"event_id": "evt_1"})
    forged = signatures.sign("a-guessed-secret", body, int(clock.now().timestamp()))
    answer = api_handler(app)(webhook_event(body, forged), LambdaContext())
    assert answer["statusCode"] == 401
    assert json.loads(answer["body"])["code"] == "invalid_signature"
    assert points(capsys.readouterr().out) == [
        ("WebhookSignatureFailures", 1, {"service": "oms", "source": "payments"})
    ]


def test_during_a_rotation_both_secrets_verify_and_no_other() -> None:
    now = int(clock.now().timestamp())
    body = '{"event_id":"evt_1"}'
    accepted = ("new-secret", "old-secret")
    signatures.verify(accepted, signatures.sign("old-secret", body, now), body)
    signatures.verify(accepted, signatures.sign("new-secret", body, now), body)
    with pytest.raises(Unauthorized):
        signatures.verify(accepted, signatures.sign("other", body, now), body)
    with pytest.raises(Unauthorized):
        signatures.verify((), signatures.sign("new-secret", body, now), body)


def test_a_secret_value_may_hold_the_new_and_the_previous_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARRIER_WEBHOOK_SECRET", "new-secret, old-secret\n")
    monkeypatch.setenv("PAYMENT_WEBHOOK_SECRET", "only-one")
    # A booted local stack points these at SSM parameters; this test reads the literal values.
    monkeypatch.delenv("CARRIER_WEBHOOK_SECRET_PARAM", raising=False)
    monkeypatch.delenv("PAYMENT_WEBHOOK_SECRET_PARAM", raising=False)
    config.reload()
    assert secrets.carrier_webhook_secrets() == ("new-secret", "old-secret")
    assert secrets.carrier_webhook_secret() == "new-secret"
    assert secrets.payment_webhook_secrets() == ("only-one",)
