"""Which notices a buyer hears of, and where: every notice goes to the in-app inbox; e-mail, SMS and app
push carry the kinds the buyer left on for each (all of them until the buyer says otherwise)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["orders", "shipping", "returns", "refunds"]
Channel = Literal["email", "sms", "push"]
KINDS: tuple[Kind, ...] = ("orders", "shipping", "returns", "refunds")
CHANNELS: tuple[Channel, ...] = ("email", "sms", "push")

# The kind of each notice, by the event that sends it.
KIND_OF: dict[str, Kind] = {
    "OrderPlaced": "orders",
    "OrderPaid": "orders",
    "PaymentFailed": "orders",
    "OrderCancelled": "orders",
    "OrderEdited": "orders",
    "DepositPaid": "orders",
    "PresaleBalanceDue": "orders",
    "OrderShipped": "shipping",
    "OrderDelivered": "shipping",
    "OrderException": "shipping",
    "ReturnApproved": "returns",
    "ReturnRejected": "returns",
    "ReturnDisputed": "returns",
    "ReturnLapsed": "returns",
    "ReturnMessage": "returns",
    "ReturnIntercepting": "returns",
    "ReturnInterceptionFailed": "returns",
    "ExchangeUpdated": "returns",
    "RefundIssued": "refunds",
}


def _all() -> list[Kind]:
    return list(KINDS)


class Preferences(BaseModel):
    """Per channel, the kinds of notice it carries."""

    model_config = ConfigDict(extra="forbid")

    email: list[Kind] = Field(default_factory=_all, max_length=len(KINDS))
    sms: list[Kind] = Field(default_factory=_all, max_length=len(KINDS))
    push: list[Kind] = Field(default_factory=_all, max_length=len(KINDS))


def wants(preferences: Preferences, channel: Channel, detail_type: str) -> bool:
    kind = KIND_OF.get(detail_type)
    return kind is not None and kind in getattr(preferences, channel)
