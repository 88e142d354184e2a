"""Starting an order's or a return's lifecycle workflow (the order-workflow function, on the item's first
event); the waits and their resumes are :mod:`oms.lifecycle.workflow`."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from oms import aws, correlation
from oms.config import require, settings
from oms.lifecycle.workflow import GONE, RETURN, Track

require("ORDER_LIFECYCLE_STATE_MACHINE_ARN", "RETURN_LIFECYCLE_STATE_MACHINE_ARN", by=__name__)


def machine_arn(track: Track) -> str:
    s = settings()
    return s.return_lifecycle_state_machine_arn if track is RETURN else s.order_lifecycle_state_machine_arn


def start(track: Track, item_id: str) -> bool:
    """Start the item's workflow; named after the item, so a repeated first event starts nothing."""
    try:
        aws.client("stepfunctions").start_execution(
            stateMachineArn=machine_arn(track),
            name=item_id,
            # Always present (the ASL passes it to each wait): the news that started the workflow's id.
            input=json.dumps({track.id_field: item_id, "correlation_id": correlation.current() or ""}),
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in GONE:
            return False
        raise
    return True
