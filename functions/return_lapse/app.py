"""Scheduled: approved returns not shipped back in time lapse."""

from typing import Any

from oms import correlation
from oms.jobs import return_lapse
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
@correlation.starts_chain
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = return_lapse.run(Table())
    logger.info("return-lapse", extra=result)
    return result
