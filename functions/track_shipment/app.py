"""The track-shipment step: carriers' events from the tracking queue, each applied once, in time order."""

from oms.consumers import sqs_consumer
from oms.lifecycle.tracking import TrackingMessage, apply
from oms.observability import logger
from oms.store.table import Table


def on_message(body: str) -> None:
    message = TrackingMessage.model_validate_json(body)
    logger.append_keys(
        carrier=message.carrier,
        tracking_number=message.event.tracking_number,
        event_id=message.event.event_id,
    )
    outcome = apply(Table(), message.carrier, message.event)
    logger.info("tracking event", extra={"status": message.event.status.value, "outcome": outcome})


handler = sqs_consumer(on_message)
