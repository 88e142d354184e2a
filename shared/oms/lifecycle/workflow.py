"""The order-lifecycle Standard workflow: started once per order, it waits on task tokens for each stage.

The stages are reached by the API, webhooks and jobs (conditional writes); the workflow is told through
the bus. A wait's token is stored on the order: whoever comes second (the token or the news) resumes it,
and a second resume of the same token is refused by Step Functions and ignored here.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from botocore.exceptions import ClientError

from oms import aws
from oms.config import settings
from oms.domain.progress import STAGES, outcome
from oms.store import keys, orders
from oms.store.table import ConditionFailed, Table, values

GONE = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken", "ExecutionAlreadyExists")


def start(order_id: str) -> bool:
    """Start the order's workflow; named after the order, so a repeated OrderPlaced starts nothing."""
    try:
        aws.client("stepfunctions").start_execution(
            stateMachineArn=settings().order_lifecycle_state_machine_arn,
            name=order_id,
            input=json.dumps({"order_id": order_id}),
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in GONE:
            return False
        raise
    return True


def _resume(token: str, order: dict[str, Any], stage: str, result: str) -> None:
    try:
        aws.client("stepfunctions").send_task_success(
            taskToken=token, output=json.dumps({"stage": stage, "outcome": result, "status": order["status"]})
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in GONE:
            raise


def register_wait(table: Table, order_id: str, stage: str, token: str) -> str:
    """Called by the workflow's wait task: keep the token, or resume at once if the stage is behind us."""
    order = table.update(
        *keys.order(order_id),
        "SET #w = :token",
        condition="attribute_exists(pk)",
        names={"#w": f"wait_{stage}"},
        expression_values=values(token=token),
    )
    result = outcome(order, stage)
    if result:
        _resume(token, order, stage, result)
        return result
    return "waiting"


def progress(table: Table, order_id: str) -> list[str]:
    """Called on the order's news: resume every wait whose stage is now reached (or cancelled)."""
    order = orders.get(table, order_id)
    if order is None:
        return []
    resumed = []
    for stage in STAGES:
        token = order.get(f"wait_{stage}")
        result = outcome(order, stage)
        if token and result:
            _resume(token, order, stage, result)
            # A new wait registered meanwhile keeps its token; it checks the stage itself.
            with contextlib.suppress(ConditionFailed):
                table.update(
                    order["pk"],
                    order["sk"],
                    "REMOVE #w",
                    condition="#w = :token",
                    names={"#w": f"wait_{stage}"},
                    expression_values=values(token=token),
                )
            resumed.append(stage)
    return resumed
