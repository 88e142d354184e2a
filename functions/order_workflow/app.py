"""Keeps each order's lifecycle workflow in step with the bus: starts it, then resumes its waits."""

from typing import Any

from oms.consumers import bus_consumer
from oms.lifecycle import workflow
from oms.observability import logger
from oms.store.table import Table


def on_event(detail_type: str, detail: dict[str, Any]) -> None:
    if detail_type == "OrderPlaced":
        logger.info("workflow started", extra={"started": workflow.start(detail["order_id"])})
    logger.info("workflow progress", extra={"resumed": workflow.progress(Table(), detail["order_id"])})


handler = bus_consumer(on_event)
