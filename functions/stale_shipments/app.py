"""Scheduled: parcels with no carrier news for too long get a ``delayed`` exception; the buyer is told."""

from typing import Any

from oms import correlation
from oms.jobs import stale_shipments
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
@correlation.starts_chain
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = stale_shipments.run(Table())
    logger.info("stale-shipments", extra=result)
    return result
