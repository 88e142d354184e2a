"""Scheduled: complete delivered orders after the quiet period with no open exception or return."""

from typing import Any

from oms import correlation
from oms.jobs import auto_confirm
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
@correlation.starts_chain
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = auto_confirm.run(Table())
    logger.info("auto-confirm-receipt", extra=result)
    return result
