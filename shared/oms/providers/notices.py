"""What a provider's notice means, in the providers' common terms; each provider module reads its own format
into these, and :mod:`oms.lifecycle.payment_notices` applies them through the payment use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from oms.problems import Problem, Unauthorized

PaymentKind = Literal["payment.succeeded", "payment.failed", "refund.succeeded", "refund.failed"]


class MalformedNotice(Problem):
    """The notice is not in the provider's documented shape."""

    code = "malformed_notice"
    title = "Malformed provider notice"


M = TypeVar("M", bound=BaseModel)


def parsed(model: type[M], body: str, what: str) -> M:
    """``body`` read as ``model``; anything else is a 400 ``malformed_notice`` naming ``what`` it should be."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise MalformedNotice(f"The body is not {what}.") from error


def invalid_signature(detail: str) -> Unauthorized:
    return Unauthorized(detail, code="invalid_signature")


class PaymentNotice(BaseModel):
    """Money moved (or failed to) for an order: a capture, a failure, a refund settled or failed."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    kind: PaymentKind
    order_id: str
    payment_id: str
    refund_id: str | None = None
    amount: int
    currency: str
    occurred_at: datetime


class DisputeNotice(BaseModel):
    """The buyer's bank disputes a payment: evidence is due by a deadline."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    dispute_id: str
    payment_id: str
    amount: int
    currency: str
    reason: str
    evidence_due_by: datetime | None = None


class OtherNotice(BaseModel):
    """A notice this service has no use for: acknowledged and recorded, nothing else."""

    model_config = ConfigDict(frozen=True)

    event_id: str
    type: str


Meaning = PaymentNotice | DisputeNotice | OtherNotice
