"""Domain events on the bus (their models: :mod:`oms.event_catalogue`). Consumers are idempotent on
``event_id``.

Every event carries the correlation id in force (``correlation_id``), and publishing is where the
business metrics of the event are counted (:mod:`oms.metrics`): one place for both.
"""

from __future__ import annotations

import json
from typing import Any

from oms import aws, clock, correlation, metrics
from oms.config import require, settings
from oms.event_catalogue import DomainEvent

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


def publish(event: DomainEvent, event_id: str) -> None:
    """Put ``event`` on the bus under ``event_id`` (the id consumers dedupe on)."""
    entry_ = entry(event.detail_type(), event_id, event.detail())
    sent = {**entry_, "Detail": json.dumps(entry_["Detail"], ensure_ascii=False)}
    response = aws.client("events").put_events(Entries=[sent])
    if response.get("FailedEntryCount"):
        raise EventPublishFailed(json.dumps(response.get("Entries", [])))
    # Counted once the bus has it: a refused entry is retried (and counted) by the caller's retry.
    metrics.for_event(event.detail_type(), entry_["Detail"])


def for_workflow(event: DomainEvent, event_id: str, occurred_at: str) -> dict[str, Any]:
    """An event the calling workflow publishes itself, with its native EventBridge task, once this
    step has committed its write: the step's Lambda does not wait on the bus. Counted here, as the
    workflow's publish is retried until the bus has it. ``occurred_at`` comes from the stored change, so
    a retried step hands back the same event."""
    entry_ = entry(event.detail_type(), event_id, event.detail(), occurred_at)
    metrics.for_event(event.detail_type(), entry_["Detail"])
    return entry_
