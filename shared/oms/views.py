"""What callers see of stored items: the public shape, without keys or bookkeeping."""

from __future__ import annotations

from typing import Any

from oms.domain.feedback import editable_until
from oms.store import keys

_INTERNAL = frozenset(
    {
        "pk",
        "sk",
        "customer_key",
        "created_key",
        "order_day",
        "skus",
        "timer_kind",
        "due_at",
        "queue",
        "queue_key",
        "request_hash",
    }
)
_LINE_INTERNAL = frozenset({"capped", "reserved", "shards"})


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _INTERNAL}


def order_view(order: dict[str, Any], children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An order as its owner and staff see it; with ``children``, its shipments and refunds too."""
    view = {k: v for k, v in _public(order).items() if k != "lines"}
    view["items"] = [
        {k: v for k, v in line.items() if k not in _LINE_INTERNAL} for line in order.get("lines", [])
    ]
    view["currency"] = order.get("totals", {}).get("currency")
    if order.get("pending_edit"):
        view["pending_edit"] = edit_view(order["pending_edit"])
    if order.get("edits"):
        view["edits"] = [edit_view(edit) for edit in order["edits"]]
    view.setdefault("exceptions", [])
    if children is not None:
        view["shipments"] = [_public(c) for c in children if keys.is_shipment(c)]
        view["refunds"] = [_public(c) for c in children if keys.is_refund(c)]
        view["feedback"] = next((feedback_view(c) for c in children if keys.is_feedback(c)), None)
    return view


_EDIT_INTERNAL = frozenset({"added", "removed", "lines", "request_hash"})


def edit_view(edit: dict[str, Any]) -> dict[str, Any]:
    """An edit as the buyer and staff see it (a pending one with the items it would leave)."""
    view = {k: v for k, v in edit.items() if k not in _EDIT_INTERNAL}
    if "lines" in edit:
        view["items"] = [{k: v for k, v in line.items() if k not in _LINE_INTERNAL} for line in edit["lines"]]
    return view


def feedback_view(item: dict[str, Any]) -> dict[str, Any]:
    """The buyer's feedback, with until when it may still be changed."""
    view = {k: v for k, v in _public(item).items() if k != "version"}
    view["editable_until"] = editable_until(item).isoformat().replace("+00:00", "Z")
    return view


def order_summary(order: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": order["id"],
        "status": order["status"],
        "placed_at": order["placed_at"],
        "totals": order["totals"],
        "item_count": sum(line["quantity"] for line in order.get("lines", [])),
    }


def return_view(item: dict[str, Any]) -> dict[str, Any]:
    # Returns recorded before the buyer could choose a type are returns for a refund.
    view = {"type": "return_refund", **_public(item)}
    return {k: v for k, v in view.items() if k not in ("customer_key", "created_key")}
