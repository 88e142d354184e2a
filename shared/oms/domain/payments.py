"""What a payment event means for an order: the decision is pure; the store applies it conditionally."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from oms.domain.presale import expected_payment


class PaymentOutcome(StrEnum):
    capture = "capture"  # the order is paid (its total, or a presale's balance)
    deposit = "deposit"  # a presale's deposit: the balance follows within its window
    mismatch = "mismatch"  # amount or currency differ: an exception for staff, never a silent pass
    refund = "refund"  # money for an order that cannot take it (cancelled, paid twice): give it back
    duplicate = "duplicate"  # the same payment told again
    ignore = "ignore"


def decide_payment(order: dict[str, Any], payment_id: str, amount: int, currency: str) -> PaymentOutcome:
    if payment_id in (order.get("payment_id"), order.get("deposit_payment_id")):
        return PaymentOutcome.duplicate
    expected = expected_payment(order)
    if expected is None:
        return PaymentOutcome.refund if amount > 0 else PaymentOutcome.ignore
    if amount != expected or currency != order["totals"]["currency"]:
        return PaymentOutcome.mismatch
    if order["status"] == "pending_payment" and order.get("payment_plan"):
        return PaymentOutcome.deposit
    return PaymentOutcome.capture
