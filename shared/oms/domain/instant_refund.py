"""Instant refund for trusted buyers (极速退款): the refund starts at the return parcel's first carrier scan
instead of after inspection.

Who is trusted is policy as data (:class:`InstantRefundPolicy`, published with the return policy): enough
completed orders, a low return rate, no inspection that ever found a problem with their returns, and
amount limits per refund and per day. An inspection that later finds less than was paid opens a dispute
and an exception for finance, and counts against the buyer from then on: their next return waits for
inspection like anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

REFUND_REASON = "instant_return"  # the refund's reason, as reports and notices read it
DISPUTE_KIND = "instant_refund_disputed"  # the order exception an inspection that found less opens


class InstantRefundPolicy(BaseModel):
    enabled: bool = True
    min_completed_orders: int = Field(3, ge=0)
    max_return_rate: float = Field(0.3, ge=0, le=1)  # returns asked for / completed orders, this one excluded
    max_disputed_returns: int = Field(0, ge=0)  # returns whose inspection found a problem, ever
    max_amount: int = Field(50_000, ge=0)  # minor units, per refund
    max_amount_per_day: int = Field(100_000, ge=0)  # minor units, per buyer and calendar day (UTC)


@dataclass(frozen=True)
class BuyerRecord:
    """What the policy weighs about a buyer, read from their orders and returns."""

    completed_orders: int
    returns: int  # returns asked for before this one (cancelled and refused ones excluded)
    disputed_returns: int


def refusal(policy: InstantRefundPolicy, record: BuyerRecord, amount: int, refunded_today: int) -> str | None:
    """Why this refund must wait for inspection (a stable code), or None when it may start now."""
    if not policy.enabled:
        return "instant_refund_disabled"
    if amount <= 0:
        return "nothing_to_refund"
    if record.completed_orders < policy.min_completed_orders:
        return "too_few_completed_orders"
    if record.returns > policy.max_return_rate * record.completed_orders:
        return "return_rate_too_high"
    if record.disputed_returns > policy.max_disputed_returns:
        return "disputed_returns_on_record"
    if amount > policy.max_amount:
        return "amount_over_limit"
    if refunded_today + amount > policy.max_amount_per_day:
        return "daily_limit_reached"
    return None


@dataclass(frozen=True)
class Reckoning:
    """An instantly refunded return, once inspected: what was owed against what was paid."""

    paid: int
    owed: int

    @property
    def shortfall(self) -> int:
        """Paid beyond what the parcel earned: finance recovers it from the buyer."""
        return max(self.paid - self.owed, 0)

    @property
    def top_up(self) -> int:
        """Owed beyond what was paid: refunded like any return."""
        return max(self.owed - self.paid, 0)


def reckon(paid: int, owed: int, disputed: bool) -> tuple[Reckoning, bool]:
    """The reckoning, and whether it lowers the buyer's trust (a problem found, or less than was paid)."""
    reckoning = Reckoning(paid, owed)
    return reckoning, disputed or reckoning.shortfall > 0
