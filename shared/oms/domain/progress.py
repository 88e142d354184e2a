"""Which lifecycle stage an order has reached: what the order-lifecycle workflow waits for."""

from __future__ import annotations

from typing import Any

STAGES = ("paid", "shipped", "delivered", "completed")
_REACHED_BY = {
    "paid": {
        "under_review",
        "awaiting_fulfillment",
        "partially_shipped",
        "shipped",
        "delivered",
        "completed",
        "on_hold",
    },
    "shipped": {"shipped", "delivered", "completed"},
    "delivered": {"delivered", "completed"},
    "completed": {"completed"},
}


def outcome(order: dict[str, Any], stage: str) -> str | None:
    """``reached`` or ``cancelled`` once the wait for ``stage`` is over; None while it goes on."""
    if order["status"] == "cancelled":
        return "cancelled"
    return "reached" if order["status"] in _REACHED_BY[stage] else None


# A return's stages: decided (approved or not), parcel received, inspected, money settled.
RETURN_STAGES = ("decided", "received", "inspected", "settled")
_RETURN_REACHED_BY = {
    "decided": {
        "awaiting_parcel",
        "intercepting",
        "refund_due",
        "in_transit",
        "received",
        "inspected",
        "refund_pending",
        "refunded",
        "closed",
    },
    # A refund with nothing sent back passes the parcel's stages once what it owes is settled.
    "received": {"received", "refund_due", "inspected", "refund_pending", "refunded", "closed"},
    "inspected": {"refund_due", "inspected", "refund_pending", "refunded", "closed"},
    "settled": {"refunded", "closed"},
}
_RETURN_ENDED = {"rejected", "cancelled", "lapsed"}


def return_outcome(item: dict[str, Any], stage: str) -> str | None:
    """``reached`` or ``ended`` (rejected, withdrawn, lapsed) once the wait is over; None meanwhile."""
    if item["status"] in _RETURN_REACHED_BY[stage]:
        return "reached"
    return "ended" if item["status"] in _RETURN_ENDED else None
