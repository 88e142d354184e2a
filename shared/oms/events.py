"""Domain events on the bus: ``OrderPlaced``, ``OrderPaid``, … Consumers are idempotent on ``event_id``."""

from __future__ import annotations

import json
from typing import Any

from oms import aws, clock
from oms.config import settings

SOURCE = "oms"


class EventPublishFailed(Exception):
    """The bus refused an entry; the step fails and its caller (a workflow, a queue) retries it."""


def publish(detail_type: str, event_id: str, detail: dict[str, Any]) -> None:
    entry = {
        "Source": SOURCE,
        "DetailType": detail_type,
        "Detail": json.dumps(
            {"event_id": event_id, "occurred_at": clock.now_iso(), **detail}, ensure_ascii=False
        ),
        "EventBusName": settings().event_bus_name,
    }
    response = aws.client("events").put_events(Entries=[entry])
    if response.get("FailedEntryCount"):
        raise EventPublishFailed(json.dumps(response.get("Entries", [])))
