"""Lifecycle wait task (orders and returns): keeps the task token on the item until its stage is reached."""

from typing import Any

from oms import correlation
from oms.lifecycle.workflow import ORDER, RETURN, register_wait
from oms.observability import logger
from oms.store.table import Table


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    track = RETURN if "return_id" in event else ORDER
    item_id = event[track.id_field]
    correlation.use(correlation.from_payload(event))
    logger.append_keys(**{track.id_field: item_id})
    return {"wait": register_wait(Table(), track, item_id, event["stage"], event["token"])}
