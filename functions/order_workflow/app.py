"""Keeps each order's and each return's lifecycle workflow in step with the bus: starts it once, then
resumes its waits as the item moves."""

from typing import Any

from oms.consumers import bus_consumer
from oms.lifecycle import workflow, workflow_start
from oms.observability import logger
from oms.store.table import Table

STARTS = {"OrderPlaced": workflow.ORDER, "ReturnRequested": workflow.RETURN}


def on_event(detail_type: str, detail: dict[str, Any]) -> None:
    track = workflow.RETURN if detail.get("return_id") else workflow.ORDER
    item_id = detail[track.id_field]
    if STARTS.get(detail_type) is track:
        logger.info("workflow started", extra={"started": workflow_start.start(track, item_id)})
    logger.info("workflow progress", extra={"resumed": workflow.progress(Table(), track, item_id)})


handler = bus_consumer(on_event)
