"""What callers see of stored items: the public shape, without keys or bookkeeping."""

from __future__ import annotations

from typing import Any

_INTERNAL = frozenset(
    {"pk", "sk", "customer_key", "created_key", "timer_kind", "due_at", "queue", "queue_key", "request_hash"}
)
_LINE_INTERNAL = frozenset({"capped", "reserved"})


def order_view(order: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in order.items() if k not in _INTERNAL and k != "lines"}
    view["items"] = [
        {k: v for k, v in line.items() if k not in _LINE_INTERNAL} for line in order.get("lines", [])
    ]
    view["currency"] = order.get("totals", {}).get("currency")
    return view


def order_summary(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": order["id"],
        "status": order["status"],
        "placed_at": order["placed_at"],
        "totals": order["totals"],
        "item_count": sum(line["quantity"] for line in order.get("lines", [])),
    }
