"""What a payment event means for an order: the decision is pure; the store applies it conditionally."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class PaymentOutcome(StrEnum):
    capture = "capture"  # the order is paid
    mismatch = "mismatch"  # amount or currency differ: an exception for staff, never a silent pass
    refund = "refund"  # money for an order that cannot take it (cancelled, paid twice): give it back
    duplicate = "duplicate"  # the same payment told again
    ignore = "ignore"


def decide_payment(order: dict[str, Any], payment_id: str, amount: int, currency: str) -> PaymentOutcome:
    if order.get("payment_id") == payment_id:
        return PaymentOutcome.duplicate
    if order["status"] == "pending_payment":
        totals = order["totals"]
        if amount != totals["total"] or currency != totals["currency"]:
            return PaymentOutcome.mismatch
        return PaymentOutcome.capture
    return PaymentOutcome.refund if amount > 0 else PaymentOutcome.ignore
