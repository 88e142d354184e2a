"""EasyPost's webhook events (https://docs.easypost.com/docs/webhooks): ``tracker.updated`` with the
Tracker in ``result``; ``X-Hmac-Signature: hmac-sha256-hex=<hex>`` is the HMAC-SHA256 of the raw body
with the webhook secret (NFKD-normalised, as EasyPost's libraries do)."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from oms.domain.tracking import CarrierStatus
from oms.providers import tracking_notices
from oms.providers.notices import MalformedNotice, invalid_signature, parsed

C = CarrierStatus
STATUSES: dict[str, CarrierStatus] = {
    "pre_transit": C.info_received,
    "in_transit": C.in_transit,
    "out_for_delivery": C.out_for_delivery,
    "available_for_pickup": C.out_for_delivery,
    "delivered": C.delivered,
    "return_to_sender": C.returned_to_sender,
    "failure": C.exception,
}


def verify(body: str, header: str | None, secret: str) -> None:
    key = unicodedata.normalize("NFKD", secret).encode()
    expected = "hmac-sha256-hex=" + hmac.new(key, body.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), (header or "").encode("utf-8", "surrogateescape")):
        raise invalid_signature("X-Hmac-Signature is not the HMAC of the body.")


class _Detail(BaseModel):
    model_config = ConfigDict(extra="allow")

    datetime: datetime
    message: str | None = Field(None, max_length=500)
    status: str | None = None
    tracking_location: dict[str, Any] | None = None


class _Tracker(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=64)
    tracking_code: str = Field(min_length=1, max_length=40)
    carrier: str = Field(min_length=1, max_length=60)
    status: str = Field(min_length=1, max_length=40)
    tracking_details: list[_Detail] = []
    updated_at: datetime | None = None


class Event(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=64)
    description: str = Field(max_length=60)
    result: dict[str, Any]


def parse(body: str) -> Event:
    return parsed(Event, body, "an EasyPost event")


def event(found: Event) -> tuple[str | None, dict[str, Any]] | None:
    """The tracking event of a ``tracker.updated`` (None for another kind of event)."""
    if found.description != "tracker.updated":
        return None
    try:
        tracker = _Tracker.model_validate(found.result)
    except ValidationError as error:
        raise MalformedNotice("The event's result is not a Tracker.") from error
    newest = max(tracker.tracking_details, key=lambda d: d.datetime, default=None)
    moment = newest.datetime if newest else tracker.updated_at
    if moment is None:
        raise MalformedNotice("The Tracker has no tracking_details and no updated_at.")
    place = (newest.tracking_location or {}) if newest else {}
    location = ", ".join(str(place[k]) for k in ("city", "state", "country") if place.get(k)) or None
    return tracking_notices.carrier_of(tracker.carrier), {
        "event_id": tracking_notices.event_id("easypost", tracker.id, tracker.status, moment.isoformat()),
        "tracking_number": tracker.tracking_code,
        "status": STATUSES.get(tracker.status),
        "carrier_status": tracker.status[:100],
        "occurred_at": moment,
        "location": location[:200] if location else None,
        "description": newest.message if newest else None,
    }
