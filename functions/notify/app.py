"""Tells the buyer (and staff) about an order: one notice per domain event, from the notify queue."""

from oms.consumers import Received, bus_consumer
from oms.notices.sending import notify
from oms.observability import logger
from oms.store.table import Table


def on_event(received: Received) -> None:
    sent = notify(Table(), received.detail_type, received.detail)
    logger.info("notice", extra={"detail_type": received.detail_type, "sent": sent})


handler = bus_consumer(on_event)
