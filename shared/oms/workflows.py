"""Starting state machines from the API."""

from __future__ import annotations

import json
from typing import Any

from oms import aws, correlation, ids
from oms.config import require, settings
from oms.observability import logger

require("PLACE_ORDER_STATE_MACHINE_ARN", by=__name__)


class WorkflowFailed(Exception):
    """The workflow itself failed (not a refused order): a fault, retried by the client with the same key."""


def run_place_order(payload: dict[str, Any]) -> dict[str, Any]:
    """Run the Express place-order workflow synchronously and return its output."""
    result = aws.client("stepfunctions").start_sync_execution(
        stateMachineArn=settings().place_order_state_machine_arn,
        name=f"{payload['order_id']}-{ids.new_id('x')[2:12]}",
        input=json.dumps(correlation.stamp(payload), ensure_ascii=False),
    )
    if result.get("status") != "SUCCEEDED":
        failure = f"{result.get('status')}: {result.get('error')} {result.get('cause')}"
        logger.warning("place-order workflow failed", extra={"failure": failure[:2000]})
        raise WorkflowFailed(failure)
    output: dict[str, Any] = json.loads(result["output"])
    return output
