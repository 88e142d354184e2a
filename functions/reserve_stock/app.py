"""place-order step 2: write the order and reserve every line in one transaction."""

from typing import Any

from oms.observability import logger
from oms.placing import reserve
from oms.store.table import Table


@logger.inject_lambda_context(correlation_id_path="draft.order_id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return reserve(event, Table())
