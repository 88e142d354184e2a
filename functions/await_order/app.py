"""order-lifecycle wait task: keeps the task token on the order until the stage is reached."""

from typing import Any

from oms.lifecycle.workflow import register_wait
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(correlation_id_path="order_id", clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    return {"wait": register_wait(Table(), event["order_id"], event["stage"], event["token"])}
