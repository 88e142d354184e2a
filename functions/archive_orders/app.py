"""Scheduled: write completed orders past retention to the S3 archive as JSON lines by date."""

from typing import Any

from oms import correlation
from oms.jobs import archive_orders
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
@correlation.starts_chain
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = archive_orders.run(Table())
    logger.info("archive-orders", extra=result)
    return result
