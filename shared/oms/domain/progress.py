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
