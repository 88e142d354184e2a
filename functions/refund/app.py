"""The refund step: each requested refund goes to the payment provider once; its answer is recorded."""

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from oms.lifecycle.refunding import process
from oms.observability import logger
from oms.store.table import Table

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> None:
    detail = json.loads(record.body)["detail"]
    logger.append_keys(order_id=detail["order_id"], refund_id=detail["refund_id"])
    logger.info("refund", extra={"outcome": process(Table(), detail["order_id"], detail["refund_id"])})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
