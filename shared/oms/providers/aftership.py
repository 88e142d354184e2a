"""AfterShip's tracking webhooks (https://www.aftership.com/docs/tracking/webhook): the
``aftership-hmac-sha256`` header is the base64 HMAC-SHA256 of the raw body with the webhook secret;
``msg`` is the tracking, its ``tag`` (and ``subtag``) the status, ``checkpoints`` the steps."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from oms.domain.tracking import CarrierStatus
from oms.providers import tracking_notices
from oms.providers.notices import MalformedNotice, invalid_signature, parsed

C = CarrierStatus
TAGS: dict[str, CarrierStatus] = {
    "InfoReceived": C.info_received,
    "InTransit": C.in_transit,
    "OutForDelivery": C.out_for_delivery,
    "AvailableForPickup": C.out_for_delivery,
    "AttemptFail": C.failed_attempt,
    "Delivered": C.delivered,
    "Exception": C.exception,
}
# Exception subtags that are more than a hiccup (AfterShip's subtag list).
SUBTAGS: dict[str, CarrierStatus] = {
    "Exception_004": C.returned_to_sender,  # returned to sender
    "Exception_005": C.returned_to_sender,  # refused by the recipient
    "Exception_011": C.returned_to_sender,
    "Exception_012": C.lost,  # lost
    "Exception_013": C.damaged,  # damaged
}


def verify(body: str, header: str | None, secret: str) -> None:
    digest = base64.b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(digest, (header or "").encode("utf-8", "surrogateescape")):
        raise invalid_signature("aftership-hmac-sha256 is not the HMAC of the body.")


class _Checkpoint(BaseModel):
    model_config = ConfigDict(extra="allow")

    checkpoint_time: datetime
    message: str | None = Field(None, max_length=500)
    location: str | None = Field(None, max_length=200)
    tag: str | None = None
    subtag: str | None = None


class _Tracking(BaseModel):
    model_config = ConfigDict(extra="allow")

    tracking_number: str = Field(min_length=1, max_length=40)
    slug: str = Field(min_length=1, max_length=60)
    tag: str = Field(min_length=1, max_length=40)
    subtag: str | None = Field(None, max_length=40)
    checkpoints: list[_Checkpoint] = []
    updated_at: datetime | None = None


class Webhook(BaseModel):
    model_config = ConfigDict(extra="allow")

    event: str = Field(max_length=60)
    event_id: str | None = Field(None, max_length=128)
    msg: _Tracking
    ts: int | None = None


def parse(body: str) -> Webhook:
    return parsed(Webhook, body, "an AfterShip webhook")


def event(hook: Webhook) -> tuple[str | None, dict[str, Any]]:
    found = hook.msg
    newest = max(found.checkpoints, key=lambda c: c.checkpoint_time, default=None)
    status = SUBTAGS.get(found.subtag or "") or TAGS.get(found.tag)
    moment = newest.checkpoint_time if newest else found.updated_at
    if moment is None:
        raise MalformedNotice("The tracking has no checkpoint and no updated_at.")
    written = found.subtag or found.tag
    return tracking_notices.carrier_of(found.slug), {
        "event_id": tracking_notices.event_id(
            "aftership", found.slug, found.tracking_number, written, moment.isoformat()
        ),
        "tracking_number": found.tracking_number,
        "status": status,
        "carrier_status": written[:100],
        "occurred_at": moment,
        "location": newest.location if newest else None,
        "description": newest.message if newest else None,
    }
