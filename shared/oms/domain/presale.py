"""Presale with a deposit (预售定金/尾款): the order takes the deposit first, the balance within the window.

A presale product names its deposit per unit and its balance window; an order holding one pays the
deposits of its presale lines first (within the usual payment time), then the rest of its total (the
balance) between the window's opening and its close. The buyer is told when the window opens and a day
before it closes. A balance not paid by the close cancels the order and releases its stock; the deposit is
then kept, as the published presale terms say (定金不退), unless the terms are set to refund it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from oms.domain.catalog import PresaleDeposit, as_utc

# The published presale terms.
DEPOSIT_REFUNDED_IF_BALANCE_UNPAID = False
REMIND_BEFORE_CLOSE = timedelta(hours=24)
UNPAID_REASON = "balance_unpaid"


class PaymentPlan(BaseModel):
    """An order's two payments: the deposit now, the balance within the window."""

    deposit: int
    balance: int
    balance_opens_at: datetime
    balance_closes_at: datetime
    deposit_refunded_if_balance_unpaid: bool = DEPOSIT_REFUNDED_IF_BALANCE_UNPAID


def payment_plan(
    lines: Iterable[tuple[int, PresaleDeposit | None]], total: int, now: datetime
) -> tuple[PaymentPlan | None, str | None]:
    """The plan of an order from its lines' (quantity, deposit terms), or the reason it cannot be placed:
    ``presale_windows_differ`` (one order, one window) or ``presale_closed`` (the window has closed)."""
    presale = [(quantity, deposit) for quantity, deposit in lines if deposit is not None]
    if not presale:
        return None, None
    windows = {(d.balance_opens_at, d.balance_closes_at) for _, d in presale}
    if len(windows) > 1:
        return None, "presale_windows_differ"
    opens, closes = windows.pop()
    if now >= closes:
        return None, "presale_closed"
    deposit = sum(quantity * d.amount for quantity, d in presale)
    return PaymentPlan(
        deposit=deposit, balance=total - deposit, balance_opens_at=opens, balance_closes_at=closes
    ), None


def expected_payment(order: Mapping[str, Any]) -> int | None:
    """What the next payment of the order must be: its total, its deposit, its balance; None if none."""
    plan = order.get("payment_plan")
    if order["status"] == "pending_payment":
        return int(plan["deposit"]) if plan else int(order["totals"]["total"])
    if order["status"] == "awaiting_balance" and plan:
        return int(plan["balance"])
    return None


# Who gives up the deposit: the buyer who does not pay the balance or cancels. A cancellation by the shop
# (it cannot supply, a review refused) refunds it.
KEPT_WHEN = frozenset({UNPAID_REASON, "customer_request"})


def kept_on_cancel(order: Mapping[str, Any], reason: str) -> int:
    """What a cancellation keeps of the money paid: a presale deposit, when the buyer walks away while the
    balance is awaited and the terms keep it; nothing otherwise."""
    plan = order.get("payment_plan")
    if order["status"] != "awaiting_balance" or not plan or plan.get("deposit_refunded_if_balance_unpaid"):
        return 0
    if reason not in KEPT_WHEN:
        return 0
    return int(order.get("refundable", 0))


def next_balance_timer(plan: Mapping[str, Any], now: datetime) -> tuple[str, datetime]:
    """The next presale deadline after ``now``: the window opens, it closes in a day, it has closed."""
    opens = as_utc(datetime.fromisoformat(str(plan["balance_opens_at"]).replace("Z", "+00:00")))
    closes = as_utc(datetime.fromisoformat(str(plan["balance_closes_at"]).replace("Z", "+00:00")))
    assert opens is not None and closes is not None
    if now < opens:
        return BALANCE_OPENS, opens
    if now < closes - REMIND_BEFORE_CLOSE:
        return BALANCE_CLOSING, closes - REMIND_BEFORE_CLOSE
    return BALANCE_DUE, closes


# Timer kinds of an order awaiting its balance, in the order they come.
BALANCE_OPENS = "presale_balance_opens"
BALANCE_CLOSING = "presale_balance_closing"
BALANCE_DUE = "presale_balance_due"
NOTICE_STAGES = {BALANCE_OPENS: "open", BALANCE_CLOSING: "closing"}
