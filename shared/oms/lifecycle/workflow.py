"""The order-lifecycle and return-lifecycle Standard workflows: started once per order or return, they
wait on task tokens for each stage.

The stages are reached by the API, webhooks and jobs (conditional writes); the workflow is told through
the bus. A wait's token is stored on the item: whoever comes second (the token or the news) resumes it,
and a second resume of the same token is refused by Step Functions and ignored here. Starting a workflow
is :mod:`oms.lifecycle.workflow_start` (only the function that starts them is given the machines' ARNs).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from oms import aws
from oms.domain import progress as stages
from oms.store import keys
from oms.store.table import ConditionFailed, Table, values

GONE = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken", "ExecutionAlreadyExists")


@dataclass(frozen=True)
class Track:
    """One kind of lifecycle: where its items live, its stages and when each is over."""

    id_field: str
    key: Callable[[str], tuple[str, str]]
    stages: tuple[str, ...]
    outcome: Callable[[dict[str, Any], str], str | None]


ORDER = Track("order_id", keys.order, stages.STAGES, stages.outcome)
RETURN = Track("return_id", keys.return_request, stages.RETURN_STAGES, stages.return_outcome)


def _resume(token: str, item: dict[str, Any], stage: str, result: str) -> None:
    try:
        aws.client("stepfunctions").send_task_success(
            taskToken=token, output=json.dumps({"stage": stage, "outcome": result, "status": item["status"]})
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in GONE:
            raise


def register_wait(table: Table, track: Track, item_id: str, stage: str, token: str) -> str:
    """Called by the workflow's wait task: keep the token, or resume at once if the stage is behind us."""
    item = table.update(
        *track.key(item_id),
        "SET #w = :token",
        condition="attribute_exists(pk)",
        names={"#w": f"wait_{stage}"},
        expression_values=values(token=token),
    )
    result = track.outcome(item, stage)
    if result:
        _resume(token, item, stage, result)
        return result
    return "waiting"


def progress(table: Table, track: Track, item_id: str) -> list[str]:
    """Called on the item's news: resume every wait whose stage is now reached (or over)."""
    item = table.get(*track.key(item_id))
    if item is None:
        return []
    resumed = []
    for stage in track.stages:
        token = item.get(f"wait_{stage}")
        result = track.outcome(item, stage)
        if token and result:
            _resume(token, item, stage, result)
            # A new wait registered meanwhile keeps its token; it checks the stage itself.
            with contextlib.suppress(ConditionFailed):
                table.update(
                    item["pk"],
                    item["sk"],
                    "REMOVE #w",
                    condition="#w = :token",
                    names={"#w": f"wait_{stage}"},
                    expression_values=values(token=token),
                )
            resumed.append(stage)
    return resumed
