"""Tells the buyer about their order: one notice per domain event, from the notify queue."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from oms.notices.sending import notify
from oms.observability import logger
from oms.store.table import Table

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    detail = event["detail"]
    logger.append_keys(order_id=detail.get("order_id"), event_id=detail.get("event_id"))
    sent = notify(Table(), event["detail-type"], detail)
    logger.info("notice", extra={"detail_type": event["detail-type"], "sent": sent})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
