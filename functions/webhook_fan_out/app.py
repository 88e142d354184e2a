"""Outbound webhooks, first step: each domain event becomes one queued delivery per subscription that wants it."""

from oms.consumers import Received, bus_consumer
from oms.lifecycle.webhook_deliveries import fan_out
from oms.observability import logger
from oms.store.table import Table


def on_event(received: Received) -> None:
    logger.info(
        "webhook fan-out",
        extra={"detail_type": received.detail_type, "deliveries": fan_out(Table(), received)},
    )


handler = bus_consumer(on_event)
