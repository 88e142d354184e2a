"""Queue consumers: one shape for every function fed by SQS (Lambda's event source mapping).

Records are handled one by one; a record that raises is reported back as a batch item failure, so only it
is delivered again (and, after the queue's maxReceiveCount, lands in its dead-letter queue).

Each record continues the correlation id it carries (a ``correlation_id`` message attribute, or the
domain event's ``correlation_id``), so its log lines and the events it publishes join the same story.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from oms import correlation
from oms.observability import logger

Handler = Callable[[dict[str, Any], Any], PartialItemFailureResponse]


def _attribute(record: SQSRecord, name: str) -> str | None:
    attribute = (record.raw_event.get("messageAttributes") or {}).get(name) or {}
    value = attribute.get("stringValue")
    return str(value) if value else None


def sqs_consumer(handle_body: Callable[[str], None]) -> Handler:
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> None:
        logger.remove_keys(["order_id", "return_id", "event_id"])
        correlation.use(_attribute(record, correlation.FIELD))
        handle_body(record.body)

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler


def bus_consumer(handle: Callable[[str, dict[str, Any]], None]) -> Handler:
    """For queues fed by EventBridge rules: ``handle(detail_type, detail)`` per domain event."""

    def handle_body(body: str) -> None:
        event = json.loads(body)
        detail = event["detail"]
        # An event from before correlation ids existed continues under its own id.
        correlation.use(correlation.from_payload(detail) or detail.get("event_id"), detail.get("order_id"))
        logger.append_keys(event_id=detail.get("event_id"), return_id=detail.get("return_id"))
        handle(event["detail-type"], detail)

    return sqs_consumer(handle_body)
