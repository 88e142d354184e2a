"""What the payments port asks a provider, in the providers' common terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RefundStatus = Literal["succeeded", "pending", "failed"]


@dataclass(frozen=True)
class RefundAsked:
    """A refund to ask for: our refund id is the provider's idempotency key."""

    refund_id: str
    order_id: str
    payment_id: str
    amount: int
    paid: int  # what the payment captured (WeChat Pay wants it)
    currency: str
    reason: str


@dataclass(frozen=True)
class RefundAnswer:
    status: RefundStatus
    provider_ref: str


@dataclass(frozen=True)
class PaymentFound:
    """A provider's record that an order was paid (its trade query)."""

    payment_id: str
    amount: int
    currency: str
