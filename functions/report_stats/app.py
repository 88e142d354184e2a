"""Counts order and return events into the reports' per-day counters, each event once (report-stats queue)."""

from typing import Any

from oms.consumers import bus_consumer
from oms.observability import logger
from oms.store import report_stats
from oms.store.table import Table


def on_event(detail_type: str, detail: dict[str, Any]) -> None:
    outcome = report_stats.count(Table(), detail_type, detail)
    logger.info("report stats", extra={"detail_type": detail_type, "outcome": outcome})


handler = bus_consumer(on_event)
