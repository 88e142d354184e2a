"""The refund step: each requested refund goes to the payment provider once; its answer is recorded."""

from oms.consumers import Received, bus_consumer
from oms.event_catalogue import RefundRequested
from oms.lifecycle.refund_step import process
from oms.observability import logger
from oms.store.table import Table


def on_event(received: Received) -> None:
    event = received.event
    if isinstance(event, RefundRequested):
        logger.info("refund", extra={"outcome": process(Table(), event.order_id, event.refund_id)})


handler = bus_consumer(on_event)
