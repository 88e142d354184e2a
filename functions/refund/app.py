"""The refund step: each requested refund goes to the payment provider once; its answer is recorded."""

from typing import Any

from oms.consumers import bus_consumer
from oms.lifecycle.refund_step import process
from oms.observability import logger
from oms.store.table import Table


def on_event(detail_type: str, detail: dict[str, Any]) -> None:
    logger.info("refund", extra={"outcome": process(Table(), detail["order_id"], detail["refund_id"])})


handler = bus_consumer(on_event)
