"""Order statuses and the moves between them (API.md "Order statuses").

One table says which move is allowed from which status; the store conditions every write on the status
it read (and a version), so two racing moves cannot both win.
"""

from __future__ import annotations

from enum import StrEnum

from oms.problems import InvalidTransition


class Status(StrEnum):
    pending_payment = "pending_payment"
    awaiting_balance = "awaiting_balance"  # a presale whose deposit is paid, waiting for the balance
    under_review = "under_review"
    awaiting_fulfillment = "awaiting_fulfillment"
    partially_shipped = "partially_shipped"
    shipped = "shipped"
    delivered = "delivered"
    completed = "completed"
    cancelled = "cancelled"
    on_hold = "on_hold"


class Move(StrEnum):
    pay = "pay"
    pay_deposit = "pay_deposit"
    hold_for_review = "hold_for_review"
    approve = "approve"
    reject = "reject"
    ship_part = "ship_part"
    ship_all = "ship_all"
    deliver = "deliver"
    complete = "complete"
    cancel = "cancel"
    expire = "expire"
    hold = "hold"
    resume = "resume"


S, M = Status, Move
TRANSITIONS: dict[tuple[Status, Move], Status] = {
    (S.pending_payment, M.pay): S.awaiting_fulfillment,
    (S.pending_payment, M.hold_for_review): S.under_review,
    (S.pending_payment, M.cancel): S.cancelled,
    (S.pending_payment, M.expire): S.cancelled,
    (S.pending_payment, M.pay_deposit): S.awaiting_balance,
    (S.awaiting_balance, M.pay): S.awaiting_fulfillment,
    (S.awaiting_balance, M.hold_for_review): S.under_review,
    (S.awaiting_balance, M.cancel): S.cancelled,
    (S.awaiting_balance, M.expire): S.cancelled,
    (S.under_review, M.approve): S.awaiting_fulfillment,
    (S.under_review, M.reject): S.cancelled,
    (S.under_review, M.cancel): S.cancelled,
    (S.awaiting_fulfillment, M.ship_part): S.partially_shipped,
    (S.awaiting_fulfillment, M.ship_all): S.shipped,
    (S.awaiting_fulfillment, M.cancel): S.cancelled,
    (S.awaiting_fulfillment, M.hold): S.on_hold,
    (S.partially_shipped, M.ship_part): S.partially_shipped,
    (S.partially_shipped, M.ship_all): S.shipped,
    (S.shipped, M.deliver): S.delivered,
    (S.delivered, M.complete): S.completed,
    (S.on_hold, M.resume): S.awaiting_fulfillment,
    (S.on_hold, M.cancel): S.cancelled,
}

# Statuses in which the order still holds stock reservations.
HOLDS_STOCK = frozenset(
    {
        S.pending_payment,
        S.awaiting_balance,
        S.under_review,
        S.awaiting_fulfillment,
        S.partially_shipped,
        S.on_hold,
    }
)


def next_status(current: str, move: Move) -> Status:
    target = TRANSITIONS.get((Status(current), move))
    if target is None:
        raise InvalidTransition(
            f"An order that is {current} cannot {move.value.replace('_', ' ')}.",
            extra={"current_status": current, "move": move.value},
        )
    return target
