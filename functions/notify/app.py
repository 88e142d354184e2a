"""Tells the buyer (and staff) about an order: one notice per domain event, from the notify queue."""

from typing import Any

from oms.consumers import bus_consumer
from oms.notices.sending import notify
from oms.observability import logger
from oms.store.table import Table


def on_event(detail_type: str, detail: dict[str, Any]) -> None:
    logger.info("notice", extra={"detail_type": detail_type, "sent": notify(Table(), detail_type, detail)})


handler = bus_consumer(on_event)
