"""Keeps each order's and each return's lifecycle workflow in step with the bus: starts it once, then
resumes its waits as the item moves."""

from oms.consumers import Received, bus_consumer
from oms.event_catalogue import OrderPlaced, ReturnRequested
from oms.lifecycle import workflow, workflow_start
from oms.observability import logger
from oms.store.table import Table

STARTS = {OrderPlaced: workflow.ORDER, ReturnRequested: workflow.RETURN}


def on_event(received: Received) -> None:
    # A refund settled for a return moves the return's workflow; every other event its order's.
    return_id = getattr(received.event, "return_id", None)
    track = workflow.RETURN if return_id else workflow.ORDER
    item_id = return_id or received.event.order_id
    if STARTS.get(type(received.event)) is track:
        logger.info("workflow started", extra={"started": workflow_start.start(track, item_id)})
    logger.info("workflow progress", extra={"resumed": workflow.progress(Table(), track, item_id)})


handler = bus_consumer(on_event)
