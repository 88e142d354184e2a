"""A person approves or rejects an order held for review."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from oms import clock, events
from oms.domain.order_status import Move
from oms.event_catalogue import OrderApproved
from oms.lifecycle.cancellation import cancel
from oms.lifecycle.payments import fulfillment_fields
from oms.store import catalog, moves
from oms.store.table import Item, Table


class ReviewDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str = Field(min_length=1, max_length=500)


def decide(table: Table, order: Item, decision: ReviewDecision, by: str) -> Item:
    if decision.decision == "reject":
        return cancel(
            table, order, by=by, reason=f"review_rejected: {decision.reason}", move_kind=Move.reject
        )
    profile = catalog.get_customer(table, order["customer_id"]) or {}
    fields = {
        **fulfillment_fields(order, profile.get("tier") == "vip", order.get("paid_at", clock.now_iso())),
        "reviewed_at": clock.now_iso(),
        "reviewed_by": by,
    }
    note, remove = {"reason": decision.reason}, ("timer_kind", "due_at")
    approved = moves.apply(
        table, moves.ORDER, order, Move.approve.value, by=by, set_fields=fields, remove=remove, note=note
    )
    events.publish(
        OrderApproved(order_id=order["id"], customer_id=order["customer_id"]), f"{order['id']}:approved"
    )
    return approved
