"""Queueing a carrier's event for the track-shipment step (the carrier webhook; the step is
:mod:`oms.lifecycle.tracking`, which has no need of the queue's URL)."""

from __future__ import annotations

from oms import aws, correlation
from oms.config import require, settings
from oms.lifecycle.tracking import CarrierEvent, TrackingMessage

require("TRACKING_QUEUE_URL", by=__name__)


def enqueue(carrier: str, event: CarrierEvent) -> None:
    """Hand the event to the track-shipment step (at least once; applying it is idempotent)."""
    body = TrackingMessage.model_validate({"carrier": carrier, "event": event.model_dump()}).model_dump_json()
    # The webhook's correlation id rides along, so the track-shipment step logs under it.
    cid = correlation.current()
    attributes = {correlation.FIELD: {"DataType": "String", "StringValue": cid}} if cid else {}
    aws.client("sqs").send_message(
        QueueUrl=settings().tracking_queue_url, MessageBody=body, MessageAttributes=attributes
    )
