"""Scheduled: flag reviews past their SLA deadline and tell staff."""

from typing import Any

from oms import correlation
from oms.jobs import sla_escalation
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
@correlation.starts_chain
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    result = sla_escalation.run(Table())
    logger.info("sla-escalation", extra=result)
    return result
