"""Queue consumers: one shape for every function fed by SQS (Lambda's event source mapping).

Records are handled one by one; a record that raises is logged and reported back as a batch item failure
(Lambda's ``ReportBatchItemFailures`` response), so only it is delivered again (and, after the queue's
maxReceiveCount, lands in its dead-letter queue). When every record fails, the invocation fails, so the
function's error metric and alarms see it; Lambda then delivers the whole batch again, as it would anyway.
This is the contract of powertools' batch utility, kept here in a few lines: importing that utility loads
its parser's pydantic models for every event source (Kinesis, Kafka, DynamoDB streams...), which added
about 40% to an SQS consumer's cold start over its floor (tests/bench, figure 4).

Events from the bus reach their handler as the catalogue's model (:class:`Received`), read the way a
tolerant reader reads: fields the model does not know are dropped (a newer publisher may add optional ones),
a missing or mistyped field fails the record (it is retried, then dead-lettered, never half-handled), and a
detail-type outside the catalogue is logged and skipped.

Whatever a record claims while it is handled lapses when the invocation does (:mod:`oms.invocation`), so a
redelivery after a timeout never waits for a claim its dead holder took.

Each record continues the correlation id it carries (a ``correlation_id`` message attribute, or the
domain event's ``correlation_id``), so its log lines and the events it publishes join the same story.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from oms import correlation, invocation
from oms.event_catalogue import CATALOGUE, ENVELOPE, DomainEvent
from oms.observability import logger


class ItemFailure(TypedDict):
    itemIdentifier: str


class BatchResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


class AllRecordsFailed(Exception):
    """Every record of the batch raised: the invocation fails and Lambda delivers the batch again."""


Handler = Callable[[dict[str, Any], Any], BatchResponse]


def _attribute(record: dict[str, Any], name: str) -> str | None:
    attribute = (record.get("messageAttributes") or {}).get(name) or {}
    value = attribute.get("stringValue")
    return str(value) if value else None


def sqs_consumer(handle_body: Callable[[str], None]) -> Handler:
    def handle_record(record: dict[str, Any]) -> None:
        logger.remove_keys(["order_id", "return_id", "event_id"])
        correlation.use(_attribute(record, correlation.FIELD))
        handle_body(record["body"])

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> BatchResponse:
        records: list[dict[str, Any]] = event.get("Records") or []
        failures: list[ItemFailure] = []
        with invocation.running(context):
            for record in records:
                try:
                    handle_record(record)
                except Exception:
                    # Retried by redelivery, then dead-lettered: the log keeps why.
                    logger.exception(
                        "record failed: it will be delivered again", extra={"message_id": record["messageId"]}
                    )
                    failures.append({"itemIdentifier": record["messageId"]})
        if records and len(failures) == len(records):
            raise AllRecordsFailed(f"all {len(records)} records of the batch failed")
        return {"batchItemFailures": failures}

    return handler


@dataclass(frozen=True)
class Received:
    """One domain event as a consumer gets it: the checked model and the envelope the publisher stamped."""

    event: DomainEvent
    event_id: str
    envelope: dict[str, Any]

    @property
    def detail_type(self) -> str:
        return self.event.detail_type()

    @property
    def detail(self) -> dict[str, Any]:
        """The checked detail as plain JSON, for the code that renders or counts it."""
        return {**self.envelope, **self.event.detail()}


def receive(detail_type: str, detail: dict[str, Any]) -> Received | None:
    """The event checked against its model; None for a detail-type the catalogue does not have."""
    model = CATALOGUE.get(detail_type)
    if model is None:
        return None
    fields = {name: value for name, value in detail.items() if name in model.model_fields}
    envelope = {name: value for name, value in detail.items() if name in ENVELOPE - {"schema_version"}}
    return Received(model.model_validate(fields), str(detail["event_id"]), envelope)


def bus_consumer(handle: Callable[[Received], None]) -> Handler:
    """For queues fed by EventBridge rules: ``handle(received)`` per domain event."""

    def handle_body(body: str) -> None:
        event = json.loads(body)
        detail = event["detail"]
        # An event from before correlation ids existed continues under its own id.
        correlation.use(correlation.from_payload(detail) or detail.get("event_id"), detail.get("order_id"))
        logger.append_keys(event_id=detail.get("event_id"), return_id=detail.get("return_id"))
        received = receive(event["detail-type"], detail)
        if received is None:
            logger.warning(
                "event type not in the catalogue: skipped", extra={"detail_type": event["detail-type"]}
            )
            return
        handle(received)

    return sqs_consumer(handle_body)
