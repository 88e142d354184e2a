"""Stripe's webhook events (https://docs.stripe.com/webhooks): the ``Stripe-Signature`` check and what an
event means for an order.

The signed payload is ``<t>.<raw body>``, HMAC-SHA256 with the endpoint's secret (``whsec_…``, used as
given); the header carries ``t=`` and one or more ``v1=`` (several while Stripe rolls the secret), and
a timestamp more than 300 s old is refused, as Stripe's own libraries do.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from oms import clock
from oms.providers.notices import (
    DisputeNotice,
    MalformedNotice,
    Meaning,
    OtherNotice,
    PaymentKind,
    PaymentNotice,
    invalid_signature,
)

TOLERANCE_SECONDS = 300
# Unix times Stripe sends are this century's; anything else is no Stripe event (and no date we could store).
EARLIEST, LATEST = 946_684_800, 4_102_444_800


def verify(secret: str, header: str | None, body: str) -> None:
    """Raise 401 ``invalid_signature`` unless one ``v1`` of ``header`` signs ``body`` within the window."""
    timestamp: int | None = None
    offered: list[bytes] = []
    for part in (header or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            offered.append(value.encode("utf-8", "surrogateescape"))
    if timestamp is None or not offered:
        raise invalid_signature("Missing or malformed Stripe-Signature.")
    # As Stripe's libraries: only an old timestamp is refused (a replay); the clocks may differ ahead.
    if clock.now().timestamp() - timestamp > TOLERANCE_SECONDS:
        raise invalid_signature("The Stripe-Signature timestamp is more than 300 s old.")
    expected = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest().encode()
    if not any([hmac.compare_digest(expected, given) for given in offered]):
        raise invalid_signature("The Stripe-Signature does not match.")


class StripeEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=128)
    type: str = Field(min_length=1, max_length=128)
    created: StrictInt = Field(ge=EARLIEST, le=LATEST)
    data: dict[str, Any]


def parse(body: str) -> StripeEvent:
    try:
        event = StripeEvent.model_validate_json(body)
    except ValidationError as error:
        raise MalformedNotice("The body is not a Stripe event.") from error
    if not isinstance(event.data.get("object"), dict):
        raise MalformedNotice("The Stripe event has no data.object.")
    return event


class _Money(BaseModel):
    """The fields of a PaymentIntent, Refund or Dispute this service reads."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=128)
    amount: StrictInt = Field(ge=0)
    amount_received: StrictInt | None = Field(None, ge=0)
    currency: str = Field(pattern=r"^[a-z]{3}$")
    metadata: dict[str, str] = {}
    payment_intent: str | None = None
    status: str | None = None
    reason: str | None = None
    evidence_details: dict[str, Any] | None = None


_REFUND_KINDS: dict[str, PaymentKind] = {
    "succeeded": "refund.succeeded",
    "failed": "refund.failed",
    "canceled": "refund.failed",
}


def meaning(event: StripeEvent) -> Meaning:
    """What ``event`` tells this service; an event of another type is :class:`OtherNotice`."""
    event_id = f"stripe:{event.id}"
    found = event.data["object"]
    try:
        if event.type in ("payment_intent.succeeded", "payment_intent.payment_failed"):
            return _payment(event_id, event, _Money.model_validate(found))
        if event.type in ("refund.updated", "refund.failed"):
            return _refund(event_id, event, _Money.model_validate(found)) or OtherNotice(
                event_id=event_id, type=event.type
            )
        if event.type == "charge.refunded":
            refunds = (found.get("refunds") or {}).get("data") or []
            settled = [_refund(event_id, event, _Money.model_validate(r)) for r in refunds]
            # A charge refunded in several parts lists them all; the newest is what this event is about.
            return next(
                (n for n in settled if n is not None), OtherNotice(event_id=event_id, type=event.type)
            )
        if event.type == "charge.dispute.created":
            return _dispute(event_id, _Money.model_validate(found))
    except ValidationError as error:
        raise MalformedNotice(f"The {event.type} event's object is not as Stripe documents it.") from error
    return OtherNotice(event_id=event_id, type=event.type)


def _occurred(event: StripeEvent) -> datetime:
    return datetime.fromtimestamp(event.created, UTC)


def _payment(event_id: str, event: StripeEvent, intent: _Money) -> PaymentNotice:
    succeeded = event.type == "payment_intent.succeeded"
    return PaymentNotice(
        event_id=event_id,
        kind="payment.succeeded" if succeeded else "payment.failed",
        order_id=_order_id(intent),
        payment_id=intent.id,
        amount=intent.amount_received if succeeded and intent.amount_received is not None else intent.amount,
        currency=intent.currency.upper(),
        occurred_at=_occurred(event),
    )


def _refund(event_id: str, event: StripeEvent, refund: _Money) -> PaymentNotice | None:
    kind = _REFUND_KINDS.get(refund.status or "")
    if event.type == "refund.failed":
        kind = "refund.failed"
    if kind is None or not refund.payment_intent:
        return None  # pending, or a refund of a charge without a PaymentIntent: nothing to settle yet
    return PaymentNotice(
        event_id=event_id,
        kind=kind,
        order_id=_order_id(refund),
        payment_id=refund.payment_intent,
        # Our refund id travels in the refund's metadata (the adapter sets it); Stripe's own id otherwise.
        refund_id=refund.metadata.get("refund_id") or refund.id,
        amount=refund.amount,
        currency=refund.currency.upper(),
        occurred_at=_occurred(event),
    )


def _dispute(event_id: str, dispute: _Money) -> DisputeNotice:
    if not dispute.payment_intent:
        raise MalformedNotice("The dispute names no payment_intent.")
    due = (dispute.evidence_details or {}).get("due_by")
    if due is not None and not (type(due) is int and EARLIEST <= due <= LATEST):
        raise MalformedNotice("The dispute's evidence_details.due_by is not a Unix time.")
    return DisputeNotice(
        event_id=event_id,
        dispute_id=dispute.id,
        payment_id=dispute.payment_intent,
        amount=dispute.amount,
        currency=dispute.currency.upper(),
        reason=dispute.reason or "general",
        evidence_due_by=None if due is None else datetime.fromtimestamp(due, UTC),
    )


def _order_id(found: _Money) -> str:
    order_id = found.metadata.get("order_id")
    if not order_id:
        raise MalformedNotice("The object's metadata has no order_id.")
    return order_id
