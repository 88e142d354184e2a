"""place-order step 1: check stock, prices, coupon, address and payment method at once."""

from typing import Any

from oms import correlation
from oms.observability import logger
from oms.placing import validate
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    correlation.use(correlation.from_payload(event), event.get("order_id"))
    # The answer is the next step's input: the id travels on with it.
    return correlation.stamp(validate(event, Table()))
