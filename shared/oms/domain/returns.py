"""Returns after the request: statuses, moves, inspection verdicts and how much money goes back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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
    intercepting = "intercepting"  # refund only: the carrier is asked to bring the parcel back
    refund_due = "refund_due"  # refund only: what is owed is settled, its refund starts next
    inspected = "inspected"
    refund_pending = "refund_pending"
    refunded = "refunded"
    closed = "closed"
    cancelled = "cancelled"
    lapsed = "lapsed"


R = ReturnStatus
# From each status, the moves it allows and where each leads.
_MOVES_FROM: dict[ReturnStatus, dict[str, ReturnStatus]] = {
    R.requested: {
        "hold_for_review": R.under_review,
        "approve": R.awaiting_parcel,
        "reject": R.rejected,
        "intercept": R.intercepting,
        "settle": R.refund_due,
    },
    R.under_review: {
        "approve": R.awaiting_parcel,
        "reject": R.rejected,
        "cancel": R.cancelled,
        "settle": R.refund_due,
    },
    # Refund only (no parcel comes back from the buyer): settled by the carrier's news or by staff.
    R.intercepting: {"settle": R.refund_due, "hold_for_review": R.under_review},
    R.refund_due: {"refund": R.refund_pending, "close": R.closed},
    # "inspect" straight from awaiting_parcel: handed in at a counter, no carrier.
    R.awaiting_parcel: {
        "ship": R.in_transit,
        "cancel": R.cancelled,
        "lapse": R.lapsed,
        "inspect": R.inspected,
    },
    R.in_transit: {"receive": R.received, "inspect": R.inspected},
    R.received: {"inspect": R.inspected},
    R.inspected: {"refund": R.refund_pending, "close": R.closed},
    R.refund_pending: {"refunded": R.refunded},
    R.rejected: {"close": R.closed},
}
RETURN_MOVES: dict[tuple[ReturnStatus, str], ReturnStatus] = {
    (status, move): target for status, moves in _MOVES_FROM.items() for move, target in moves.items()
}
OPEN = frozenset(
    {
        R.requested,
        R.under_review,
        R.approved,
        R.awaiting_parcel,
        R.in_transit,
        R.received,
        R.intercepting,
        R.refund_due,
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


def partial_refund_cap(order: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> int:
    """The most a partial refund of a return's ``items`` may be: what they were paid for, and no more than
    is still refundable on the order."""
    by_sku = {line["sku"]: line for line in order["lines"]}
    worth = sum(refund_for_units(by_sku[i["sku"]], 0, int(i["quantity"])) for i in items)
    return max(0, min(worth, int(order.get("refundable", 0))))


@dataclass(frozen=True)
class Verdict:
    """What an inspection settles: the refund, the units it pays for, what goes back to stock, what is
    disputed (not original, or missing)."""

    refund_amount: int
    refunded_units: dict[str, int]
    restock: dict[str, int]
    disputed: list[dict[str, Any]]


def _counted(
    asked: Mapping[str, int], found: Sequence[tuple[str, int, Condition]]
) -> tuple[list[tuple[str, int, int, Condition]], dict[str, int]]:
    """Each inspected line with the units that count (never more than the return asked for, however the
    lines are split), and the units received per SKU."""
    received: dict[str, int] = {}
    counted = []
    for sku, quantity, condition in found:
        units = min(quantity, asked[sku] - received.get(sku, 0))
        received[sku] = received.get(sku, 0) + units
        counted.append((sku, quantity, units, condition))
    return counted, received


def inspection_verdict(
    order: Mapping[str, Any],
    asked: Mapping[str, int],
    found: Sequence[tuple[str, int, Condition]],
    shipping_payer: str,
) -> Verdict:
    """Resellable goes back to stock, damaged is written off, the rest is disputed.

    The refund covers what came back as returned (resellable or damaged), at the price paid after the
    discount share, plus the original shipping fee when the merchant is at fault for the whole order;
    never more than is still refundable (goodwill refunds may already have paid part of it back).
    """
    by_sku = {line["sku"]: line for line in order["lines"]}
    amount = 0
    refunded: dict[str, int] = {}
    restock: dict[str, int] = {}
    disputed: list[dict[str, Any]] = []
    counted, received = _counted(asked, found)
    for sku, quantity, units, condition in counted:
        if condition in REFUNDED_CONDITIONS and units:
            before = by_sku[sku].get("return_refunded", 0) + refunded.get(sku, 0)
            amount += refund_for_units(by_sku[sku], before, units)
            refunded[sku] = refunded.get(sku, 0) + units
        if condition is Condition.resellable and units:
            restock[sku] = restock.get(sku, 0) + units
        if condition in DISPUTED_CONDITIONS:
            disputed.append({"sku": sku, "condition": condition.value, "quantity": quantity})
    for sku, expected in asked.items():
        if received.get(sku, 0) < expected:
            disputed.append({"sku": sku, "condition": "missing", "quantity": expected - received.get(sku, 0)})
    every_unit = all(
        line.get("return_refunded", 0) + refunded.get(line["sku"], 0) >= line.get("shipped", 0)
        for line in order["lines"]
    )
    if shipping_payer == "merchant" and every_unit and not disputed:
        amount += order["totals"]["shipping_fee"]
    return Verdict(min(amount, order.get("refundable", 0)), refunded, restock, disputed)
