"""Domain events on the bus: ``OrderPlaced``, ``OrderPaid``, … Consumers are idempotent on ``event_id``.

Every event carries the correlation id in force (``correlation_id``), and publishing is where the
business metrics of the event are counted (:mod:`oms.metrics`): one place for both.
"""

from __future__ import annotations

import json
from typing import Any

from oms import aws, clock, correlation, metrics
from oms.config import require, settings

require("EVENT_BUS_NAME", by=__name__)

SOURCE = "oms"


class EventPublishFailed(Exception):
    """The bus refused an entry; the step fails and its caller (a workflow, a queue) retries it."""


def entry(
    detail_type: str, event_id: str, detail: dict[str, Any], occurred_at: str | None = None
) -> dict[str, Any]:
    """A bus entry for a domain event; ``Detail`` stays an object (stringified only when sent)."""
    when = occurred_at or clock.now_iso()
    return {
        "Source": SOURCE,
        "DetailType": detail_type,
        "Detail": correlation.stamp({"event_id": event_id, "occurred_at": when, **detail}),
        "EventBusName": settings().event_bus_name,
    }


def publish(detail_type: str, event_id: str, detail: dict[str, Any]) -> None:
    event = entry(detail_type, event_id, detail)
    sent = {**event, "Detail": json.dumps(event["Detail"], ensure_ascii=False)}
    response = aws.client("events").put_events(Entries=[sent])
    if response.get("FailedEntryCount"):
        raise EventPublishFailed(json.dumps(response.get("Entries", [])))
    # Counted once the bus has it: a refused entry is retried (and counted) by the caller's retry.
    metrics.for_event(detail_type, event["Detail"])


def for_workflow(detail_type: str, event_id: str, detail: dict[str, Any], occurred_at: str) -> dict[str, Any]:
    """An event the calling workflow publishes itself, with its native EventBridge task, once this
    step has committed its write: the step's Lambda does not wait on the bus. Counted here, as the
    workflow's publish is retried until the bus has it. ``occurred_at`` comes from the stored change, so
    a retried step hands back the same event."""
    event = entry(detail_type, event_id, detail, occurred_at)
    metrics.for_event(detail_type, event["Detail"])
    return event
