"""Outbound webhooks as the Standard Webhooks specification (standardwebhooks.com) has them: the signing
secret, the signature, the message, and when a failed delivery is tried again.

Pure rules; the store, the HTTP call and the queue are elsewhere (``store/webhooks``,
``webhook_targets``, ``lifecycle/webhook_deliveries``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from oms.clock import iso, parse

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# A rotated secret stays valid this long, so a subscriber can switch without losing a delivery.
ROTATION_GRACE = timedelta(hours=24)
# After a failed attempt, the next one waits this long (the specification's example schedule); after the
# last, the delivery is failed: 27 h 35 min after the first attempt, so at least 24 hours of tries.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
# A subscription whose deliveries have failed, with no success since, for this long is paused.
PAUSE_AFTER = timedelta(days=3)
# Each attempt waits this long for an answer; a slower endpoint is a failed attempt.
ATTEMPT_TIMEOUT_SECONDS = 10
EXCERPT_CHARS = 256
# Every attempt is kept on its delivery up to this many (8 per series: 5 replays to reach it); the cap keeps
# an item under 30 KB and a page of 100 deliveries within Lambda's 6 MB answer.
ATTEMPTS_KEPT = 50


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` under one secret."""
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def headers(secrets_in_force: Iterable[str], message_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The three headers of one attempt; during a rotation one signature per secret, space separated."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, message_id, timestamp, body) for s in secrets_in_force),
        "content-type": "application/json",
    }


def secrets_in_force(stored: Iterable[dict[str, Any]], now: str) -> list[str]:
    """The secrets a delivery is signed with: the current one, and a rotated one until it expires."""
    return [s["secret"] for s in stored if not s.get("expires_at") or s["expires_at"] > now]


def rotated(stored: Iterable[dict[str, Any]], new: str, now: datetime) -> list[dict[str, Any]]:
    """The secrets after a rotation: the new one first, the one it replaces valid for ``ROTATION_GRACE``,
    and those already expiring kept to their own expiry (expired ones dropped)."""
    kept = []
    for entry in stored:
        expires = entry.get("expires_at") or iso(now + ROTATION_GRACE)
        if expires > iso(now):
            kept.append({"secret": entry["secret"], "expires_at": expires})
    return [{"secret": new}, *kept]


def message(public_type: str, occurred_at: str, sequence: int, data: dict[str, Any]) -> str:
    """The body every subscriber of the event gets, byte for byte the same on every attempt."""
    payload = {"type": public_type, "timestamp": occurred_at, "sequence": sequence, "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def wants(event_types: Iterable[str], public_type: str) -> bool:
    """Whether a subscription to ``event_types`` gets ``public_type`` (``*`` is every event)."""
    return any(t in ("*", public_type) for t in event_types)


def next_attempt_at(failures: int, now: datetime) -> datetime | None:
    """When to try again after the ``failures``-th failed attempt in a row; None when it is the last."""
    if failures > len(RETRY_DELAYS):
        return None
    return now + RETRY_DELAYS[failures - 1]


def is_success(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def should_pause(failing_since: str | None, now: datetime) -> bool:
    return bool(failing_since) and now - parse(failing_since) >= PAUSE_AFTER


class Attempt(BaseModel):
    """One queue message: make attempt ``attempt`` of one delivery."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subscription_id: str
    delivery_id: str
    attempt: int
