"""Keeps each order's lifecycle workflow in step with the bus: starts it, then resumes its waits."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from oms.lifecycle import workflow
from oms.observability import logger
from oms.store.table import Table

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    order_id = event["detail"]["order_id"]
    logger.append_keys(order_id=order_id)
    if event["detail-type"] == "OrderPlaced":
        logger.info("workflow started", extra={"started": workflow.start(order_id)})
    logger.info("workflow progress", extra={"resumed": workflow.progress(Table(), order_id)})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
