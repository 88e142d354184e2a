"""Returns after the request: statuses, moves, inspection verdicts and how much money goes back."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from oms.problems import InvalidTransition


class ReturnStatus(StrEnum):
    requested = "requested"
    under_review = "under_review"
    approved = "approved"
    rejected = "rejected"
    awaiting_parcel = "awaiting_parcel"
    in_transit = "in_transit"
    received = "received"
    inspected = "inspected"
    refund_pending = "refund_pending"
    refunded = "refunded"
    closed = "closed"
    cancelled = "cancelled"
    lapsed = "lapsed"


R = ReturnStatus
RETURN_MOVES: dict[tuple[ReturnStatus, str], ReturnStatus] = {
    (R.requested, "hold_for_review"): R.under_review,
    (R.requested, "approve"): R.awaiting_parcel,
    (R.requested, "reject"): R.rejected,
    (R.under_review, "approve"): R.awaiting_parcel,
    (R.under_review, "reject"): R.rejected,
    (R.under_review, "cancel"): R.cancelled,
    (R.awaiting_parcel, "ship"): R.in_transit,
    (R.awaiting_parcel, "cancel"): R.cancelled,
    (R.awaiting_parcel, "lapse"): R.lapsed,
    (R.awaiting_parcel, "inspect"): R.inspected,  # handed in at a counter: no carrier
    (R.in_transit, "receive"): R.received,
    (R.in_transit, "inspect"): R.inspected,
    (R.received, "inspect"): R.inspected,
    (R.inspected, "refund"): R.refund_pending,
    (R.inspected, "close"): R.closed,
    (R.refund_pending, "refunded"): R.refunded,
    (R.rejected, "close"): R.closed,
}
OPEN = frozenset(
    {
        R.requested,
        R.under_review,
        R.approved,
        R.awaiting_parcel,
        R.in_transit,
        R.received,
        R.inspected,
        R.refund_pending,
    }
)


def next_return_status(current: str, move: str) -> ReturnStatus:
    target = RETURN_MOVES.get((ReturnStatus(current), move))
    if target is None:
        raise InvalidTransition(
            f"A return that is {current} cannot {move.replace('_', ' ')}.",
            extra={"current_status": current, "move": move},
        )
    return target


class Condition(StrEnum):
    resellable = "resellable"
    damaged = "damaged"
    not_original = "not_original"
    missing = "missing"


REFUNDED_CONDITIONS = frozenset({Condition.resellable, Condition.damaged})
DISPUTED_CONDITIONS = frozenset({Condition.not_original, Condition.missing})


def net_paid(line: dict[str, Any]) -> int:
    return int(line["line_total"]) - int(line.get("discount", 0))


def refund_for_units(line: dict[str, Any], already: int, units: int) -> int:
    """What ``units`` more of ``line`` are worth after the discount, given ``already`` returned before.

    Telescoping shares: however a line is returned in parts, the parts add up to exactly what was paid.
    """
    quantity = int(line["quantity"])
    net = net_paid(line)
    return net * (already + units) // quantity - net * already // quantity
