"""Exception orders (异常订单处理): record one with an owner and a deadline, settle it with a remedy.

An ``address_incomplete`` exception puts an order waiting for fulfilment on hold; settling the last such
exception (or the buyer correcting the address) resumes it into the fulfilment queue.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from oms import clock, events
from oms.domain.order_exceptions import (
    HOLDING_KINDS,
    OPEN,
    ExceptionKind,
    default_deadline,
    holds_fulfilment,
    index_of,
)
from oms.domain.order_status import Move, Status
from oms.ids import ID_PATTERN
from oms.lifecycle.common import retry_on_race
from oms.lifecycle.resolutions import Resolution, plan
from oms.problems import Conflict, NotFound
from oms.store import order_exceptions
from oms.store.patches import Patch, order_update_op
from oms.store.table import Item, Table, TransactionCancelled
from oms.store.transitions import LostRace, move

OWNER_PATTERN = r"^[A-Za-z0-9_.@:-]{1,64}$"
FULFILL_QUEUE = "FULFILL"


class ExceptionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ExceptionKind
    note: str | None = Field(None, max_length=1000)
    owner: str | None = Field(None, pattern=OWNER_PATTERN, description='who handles it; default "unassigned"')
    due_at: AwareDatetime | None = Field(None, description="deadline; default 24 hours from now")
    shipment_id: str | None = Field(None, pattern=ID_PATTERN)
    resolution: Resolution | None = None


def record(table: Table, order_id: str, request: ExceptionInput, exception_id: str, by: str) -> Item:
    """Open the exception (once per id); then settle it at once when a resolution came with it."""

    def act(order: Item) -> Item:
        existing = order_exceptions.get(table, order_id, exception_id)
        if existing is not None:
            return existing  # the same request again
        deadline = clock.iso(request.due_at) if request.due_at else clock.iso(default_deadline(clock.now()))
        exception = order_exceptions.new_exception(
            order,
            exception_id,
            request.kind.value,
            by=by,
            source="staff",
            deadline=deadline,
            owner=request.owner,
            note=request.note,
            shipment_id=request.shipment_id,
        )
        if request.kind in HOLDING_KINDS and order["status"] == Status.awaiting_fulfillment:
            # Out of the pick list until it is settled; the queue key is kept to go back in its place.
            move(
                table,
                order,
                Move.hold,
                by=by,
                remove=("queue",),
                patch=order_exceptions.append_patch(exception),
                extra_ops=[order_exceptions.put_op(exception)],
                note={"exception_id": exception_id, "kind": exception["kind"]},
            )
        else:
            try:
                table.transact(order_exceptions.open_ops(order, exception))
            except TransactionCancelled as cancelled:
                raise LostRace(order_id) from cancelled
        events.publish(
            "OrderException",
            f"{exception_id}:opened",
            {
                "order_id": order_id,
                "customer_id": order["customer_id"],
                "exception_id": exception_id,
                "kind": exception["kind"],
            },
        )
        return exception

    exception = retry_on_race(table, order_id, None, act)
    if request.resolution is not None and exception["status"] == OPEN:
        return resolve(table, order_id, exception_id, request.resolution, by)
    return exception


def resolve(table: Table, order_id: str, exception_id: str, resolution: Resolution, by: str) -> Item:
    """Settle an open exception with its remedy, all in one transaction; the answer is the exception."""
    retry_on_race(table, order_id, None, lambda order: _resolve(table, order, exception_id, resolution, by))
    found = order_exceptions.get(table, order_id, exception_id)
    return found or {"id": exception_id, "order_id": order_id, "status": "resolved"}


def _resolve(table: Table, order: Item, exception_id: str, resolution: Resolution, by: str) -> None:
    index = index_of(order, exception_id)
    if index is None:
        raise NotFound(f"No exception {exception_id} on order {order['id']}.", code="exception_not_found")
    entry = order["exceptions"][index]
    if entry.get("status") != OPEN:
        raise Conflict(
            f"Exception {exception_id} is already {entry.get('status')}.", code="exception_not_open"
        )
    # Exceptions recorded before they had their own item live only in the order's list.
    has_item = order_exceptions.get(table, order["id"], exception_id) is not None
    effect = plan(table, order, entry, resolution, by)
    outcome = {
        "action": resolution.action.value,
        **effect.record,
        "note": resolution.note,
        "by": by,
        "at": clock.now_iso(),
    }
    patch: Patch = order_exceptions.resolve_patch(index, exception_id, outcome) + effect.patch
    ops = list(effect.ops)
    if has_item:
        ops.append(order_exceptions.resolve_item_op(order["id"], exception_id, outcome, by))
    others = [e for i, e in enumerate(order.get("exceptions", [])) if i != index]
    resume = order["status"] == Status.on_hold and holds_fulfilment([entry]) and not holds_fulfilment(others)
    note = {"exception_id": exception_id, "action": resolution.action.value}
    try:
        if resume:
            move(
                table,
                order,
                Move.resume,
                by=by,
                set_fields=resume_fields(order),
                patch=patch,
                extra_ops=ops,
                note=note,
            )
        else:
            entry_note = {"at": clock.now_iso(), "type": "exception_resolved", "by": by, **note}
            table.transact([order_update_op(order, patch, entry_note), *ops])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise LostRace(order["id"]) from cancelled
        for i, refusal in effect.refusals.items():
            if cancelled.failed(1 + i):
                raise refusal() from cancelled
        raise LostRace(order["id"]) from cancelled  # resolved by someone else meanwhile: read again
    for announce in effect.after:
        announce()
    events.publish(
        "OrderExceptionResolved",
        f"{exception_id}:resolved",
        {
            "order_id": order["id"],
            "customer_id": order["customer_id"],
            "exception_id": exception_id,
            "kind": entry.get("kind"),
            "action": resolution.action.value,
        },
    )


def resume_fields(order: Item) -> dict[str, Any]:
    """Back into the pick list where it was (its queue key was kept while it was on hold)."""
    return {"queue": FULFILL_QUEUE} if order.get("queue_key") else {}
