"""Counts order and return events into the reports' per-day counters, each event once (report-stats queue)."""

from oms.consumers import Received, bus_consumer
from oms.observability import logger
from oms.store import report_stats
from oms.store.table import Table


def on_event(received: Received) -> None:
    outcome = report_stats.count(Table(), received.detail_type, received.detail)
    logger.info("report stats", extra={"detail_type": received.detail_type, "outcome": outcome})


handler = bus_consumer(on_event)
