"""place-order step 2: write the order and reserve every line in one transaction."""

from typing import Any

from oms import correlation
from oms.observability import logger
from oms.placing import reserve
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    correlation.use(correlation.from_payload(event), (event.get("draft") or {}).get("order_id"))
    return reserve(event, Table())
