"""One correlation id follows an order: born at the HTTP edge, carried by events, queues and workflow inputs,
picked up again by every consumer and step, echoed to the caller, on every log line."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from oms import aws, correlation, events
from oms.consumers import Received, bus_consumer, sqs_consumer
from oms.event_catalogue import OrderShipped
from oms.http import api_handler, create_app, json_response

from tests.unit.conftest import Logs

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class LambdaContext:
    aws_request_id: str = "req-lambda-1"
    function_name: str = "test"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:test"


def http_event(headers: dict[str, str] | None = None, request_id: str = "api-req-1") -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "GET /ping",
        "rawPath": "/ping",
        "rawQueryString": "",
        "headers": headers or {},
        "requestContext": {
            "requestId": request_id,
            "http": {"method": "GET", "path": "/ping", "sourceIp": "127.0.0.1", "userAgent": "test"},
            "stage": "$default",
        },
        "isBase64Encoded": False,
    }


@pytest.fixture(autouse=True)
def _fresh() -> None:
    correlation.clear()


class FakeEvents:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.entries += Entries
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "1"}]}


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> FakeEvents:
    fake = FakeEvents()
    monkeypatch.setattr(aws, "client", lambda service: fake)
    return fake


# ---------------------------------------------------------------------------------------------- HTTP edge


def test_the_callers_correlation_id_wins_over_the_request_id() -> None:
    assert correlation.from_http(http_event({"X-Correlation-Id": "shop-42:checkout"})) == "shop-42:checkout"
    assert correlation.from_http(http_event({"x-correlation-id": "abc"})) == "abc"


@pytest.mark.parametrize("given", ["", "has space", 'quote"d', "x" * 129, "line\nbreak"])
def test_a_malformed_correlation_id_is_replaced_by_the_request_id(given: str) -> None:
    assert correlation.from_http(http_event({"x-correlation-id": given}, request_id="r-9")) == "r-9"


def test_without_header_or_request_id_a_new_id_is_made() -> None:
    event = http_event()
    del event["requestContext"]["requestId"]
    made = correlation.from_http(event)
    assert made.startswith("cor_") and made != correlation.from_http(event)


def test_the_api_echoes_the_id_and_logs_it_with_every_line(logs: Logs) -> None:
    app = create_app()
    seen: dict[str, str | None] = {}

    @app.get("/ping")
    def ping() -> Any:
        seen["current"] = correlation.current()
        from oms.observability import logger

        logger.info("pinged")
        return json_response(200, {"pong": True})

    handler = api_handler(app)
    answer = handler(http_event({"x-correlation-id": "cid-1"}), LambdaContext())
    assert answer["statusCode"] == 200
    assert answer["headers"][correlation.HEADER] == "cid-1"
    assert seen["current"] == "cid-1"
    (line,) = logs.lines("pinged")
    assert line["correlation_id"] == "cid-1"

    # The next request without a header gets its own id (the API request id), not the last one.
    answer = handler(http_event(request_id="api-req-2"), LambdaContext())
    assert answer["headers"][correlation.HEADER] == "api-req-2"


def test_even_a_refused_oversized_body_is_answered_with_the_id() -> None:
    handler = api_handler(create_app())
    event = http_event({"x-correlation-id": "big-1"})
    event["body"] = "x" * (64 * 1024 + 1)
    answer = handler(event, LambdaContext())
    assert answer["statusCode"] == 413
    assert answer["headers"][correlation.HEADER] == "big-1"


# ---------------------------------------------------------------------------------------------- events


def test_published_events_carry_the_id_in_force(bus: FakeEvents) -> None:
    correlation.use("cid-7", order_id="ord_1")
    shipped = OrderShipped(
        order_id="ord_1",
        customer_id="cus_1",
        shipment_id="shp_1",
        carrier="sf",
        tracking_number="SF1",
        complete=True,
    )
    events.publish(shipped, "ord_1:shipped")
    detail = json.loads(bus.entries[0]["Detail"])
    assert detail["correlation_id"] == "cid-7"
    assert detail["event_id"] == "ord_1:shipped"


def test_an_id_that_came_from_upstream_is_kept(bus: FakeEvents) -> None:
    correlation.use("here")
    assert (
        events.entry("OrderShipped", "e1", {"order_id": "ord_1", "correlation_id": "upstream"})["Detail"][
            "correlation_id"
        ]
        == "upstream"
    )


# ---------------------------------------------------------------------------------------------- consumers


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": "h",
                "body": record["body"],
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": record.get("attributes", {}),
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q",
                "awsRegion": "eu-west-1",
            }
            for i, record in enumerate(records)
        ]
    }


def bus_body(detail: dict[str, Any], detail_type: str = "OrderPaid") -> str:
    return json.dumps({"detail-type": detail_type, "source": "oms", "detail": detail})


def test_bus_consumers_continue_each_events_id(logs: Logs) -> None:
    seen: list[tuple[str | None, str]] = []

    def handle(received: Received) -> None:
        from oms.observability import logger

        logger.info("handled")
        seen.append((correlation.current(), received.event.order_id))

    handler = bus_consumer(handle)
    paid = {"customer_id": "cus_1", "amount": 100, "review": []}
    result = handler(
        sqs_event(
            {"body": bus_body({**paid, "order_id": "ord_1", "event_id": "e1", "correlation_id": "cid-a"})},
            # An event published before correlation ids existed continues under its event id.
            {"body": bus_body({**paid, "order_id": "ord_2", "event_id": "e2"})},
        ),
        LambdaContext(),
    )
    assert result == {"batchItemFailures": []}
    assert seen == [("cid-a", "ord_1"), ("e2", "ord_2")]
    lines = [(line["correlation_id"], line["order_id"]) for line in logs.lines("handled")]
    assert lines == [("cid-a", "ord_1"), ("e2", "ord_2")]


def test_queue_consumers_read_the_id_from_a_message_attribute() -> None:
    seen: list[str | None] = []
    handler = sqs_consumer(lambda body: seen.append(correlation.current()))
    attribute = {correlation.FIELD: {"stringValue": "cid-webhook", "dataType": "String"}}
    handler(sqs_event({"body": "{}", "attributes": attribute}, {"body": "{}"}), LambdaContext())
    assert seen[0] == "cid-webhook"
    # A message without one gets a fresh id, never the previous message's.
    assert seen[1] and seen[1].startswith("cor_")


# ---------------------------------------------------------------------------------------------- workflow steps and jobs


def load_handler(function: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"app_{function}", ROOT / "functions" / function / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_validate_order_continues_the_id_of_its_input_and_hands_it_to_the_next_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = load_handler("validate_order")
    monkeypatch.setattr(app, "validate", lambda event, table: {"ok": True, "seen": correlation.current()})
    monkeypatch.setattr(app, "Table", lambda: None)
    output = app.handler({"order_id": "ord_1", "correlation_id": "cid-place"}, LambdaContext())
    assert output == {"ok": True, "seen": "cid-place", "correlation_id": "cid-place"}


def test_a_scheduled_job_runs_under_its_lambda_request_id(monkeypatch: pytest.MonkeyPatch) -> None:
    from oms.jobs import release_unpaid, scheduled

    # The handler takes the job's ``run`` when its module is imported: replace it first.
    monkeypatch.setattr(release_unpaid, "run", lambda table: {"seen": correlation.current()})
    monkeypatch.setattr(scheduled, "Table", lambda: None)
    app = load_handler("release_unpaid")
    assert app.handler({}, LambdaContext(aws_request_id="job-run-1")) == {"seen": "job-run-1"}


def test_the_lifecycle_workflows_hand_the_id_to_every_wait() -> None:
    for name in ("order-lifecycle", "return-lifecycle"):
        states = json.loads((ROOT / "infrastructure/statemachines" / f"{name}.asl.json").read_text())[
            "States"
        ]
        waits = [s for s in states.values() if str(s.get("Resource", "")).endswith("waitForTaskToken")]
        assert waits, name
        for state in waits:
            assert state["Parameters"]["Payload"]["correlation_id.$"] == "$.correlation_id", name


def test_a_lifecycle_workflow_starts_with_the_id_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    from oms.lifecycle import workflow, workflow_start

    started: list[dict[str, Any]] = []

    class FakeStates:
        def start_execution(self, **kwargs: Any) -> dict[str, Any]:
            started.append(json.loads(kwargs["input"]))
            return {}

    monkeypatch.setattr(aws, "client", lambda service: FakeStates())
    correlation.use("cid-flow")
    workflow_start.start(workflow.ORDER, "ord_9")
    assert started == [{"order_id": "ord_9", "correlation_id": "cid-flow"}]


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("GET /v1/orders/{id}", {"order_id": "x1"}),
        ("POST /v1/admin/orders/{id}/exceptions/{exception_id}/resolve", {"order_id": "x1"}),
        ("POST /v1/returns/{id}/cancel", {"return_id": "x1"}),
        ("GET /v1/products/{sku}", {}),
    ],
)
def test_an_item_route_logs_its_order_or_return_id(route: str, expected: dict[str, str]) -> None:
    event = {**http_event(), "routeKey": route, "pathParameters": {"id": "x1", "sku": "x1"}}
    if "{id}" not in route:
        event["pathParameters"] = {"sku": "x1"}
    assert correlation.http_keys(event) == expected


@pytest.mark.parametrize("app", sorted((ROOT / "functions").glob("*/app.py")), ids=lambda p: p.parent.name)
def test_every_handler_puts_a_correlation_id_in_force(app: Path) -> None:
    # Through the shared HTTP edge, queue consumers or scheduled-job factory, or by itself (workflow steps).
    text = app.read_text()
    entry_points = (
        "api_handler(",
        "bus_consumer(",
        "sqs_consumer(",
        "scheduled_job(",
        "correlation.use(",
        "@correlation.starts_chain",
    )
    assert any(entry in text for entry in entry_points), app
