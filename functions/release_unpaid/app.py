"""Scheduled: cancel orders whose payment deadline passed and release their stock."""

from typing import Any

from oms import correlation
from oms.jobs import release_unpaid
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
@correlation.starts_chain
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = release_unpaid.run(Table())
    logger.info("release-unpaid", extra=result)
    return result
