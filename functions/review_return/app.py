"""return-lifecycle step 1: the review-return rules decide what they can; the rest waits for a person."""

from typing import Any

from oms import correlation
from oms.lifecycle.after_sales import review
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    correlation.use(correlation.from_payload(event))
    logger.append_keys(return_id=event["return_id"])
    return {"return_id": event["return_id"], "status": review(Table(), event["return_id"])["status"]}
