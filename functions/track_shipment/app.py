"""The track-shipment step: carriers' events from the tracking queue, each applied once, in time order."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from oms.lifecycle.tracking import TrackingMessage, apply
from oms.observability import logger
from oms.store.table import Table

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    message = TrackingMessage.model_validate_json(record.body)
    logger.append_keys(
        carrier=message.carrier,
        tracking_number=message.event.tracking_number,
        event_id=message.event.event_id,
    )
    outcome = apply(Table(), message.carrier, message.event)
    logger.info("tracking event", extra={"status": message.event.status.value, "outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
