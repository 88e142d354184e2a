"""place-order step 1: check stock, prices, coupon, address and payment method at once."""

from typing import Any

from oms.observability import logger
from oms.placing import validate
from oms.store.table import Table


@logger.inject_lambda_context(correlation_id_path="order_id")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return validate(event, Table())
