"""Exception orders (异常订单处理): record one with an owner and a deadline, settle it with a remedy.

An ``address_incomplete`` exception puts an order waiting for fulfilment on hold; settling the last such
exception (or the buyer correcting the address) resumes it into the fulfilment queue.
"""

from __future__ import annotations

from collections.abc import Callable
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
from oms.event_catalogue import OrderException, OrderExceptionResolved
from oms.ids import ID_PATTERN
from oms.lifecycle.resolutions import Effect, Resolution, plan
from oms.problems import Conflict, NotFound
from oms.store import moves, order_exceptions, orders, races
from oms.store.moves import LostRace
from oms.store.patches import Patch
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, commit

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
            moves.apply(
                table,
                moves.ORDER,
                order,
                Move.hold.value,
                by=by,
                remove=("queue",),
                patch=order_exceptions.append_patch(exception),
                also=[order_exceptions.put_new(exception)],
                note={"exception_id": exception_id, "kind": exception["kind"]},
            )
        else:
            try:
                commit(table, *order_exceptions.open_writes(order, exception))
            except Cancelled as cancelled:
                raise LostRace(order_id) from cancelled
        events.publish(OrderException.opened(order, exception), f"{exception_id}:opened")
        return exception

    exception = races.retry_on_race(_reader(table, order_id), act, f"order {order_id}")
    if request.resolution is not None and exception["status"] == OPEN:
        return resolve(table, order_id, exception_id, request.resolution, by)
    return exception


def _reader(table: Table, order_id: str) -> Callable[[], Item]:
    return lambda: orders.get_for(table, order_id, None)


def resolve(table: Table, order_id: str, exception_id: str, resolution: Resolution, by: str) -> Item:
    """Settle an open exception with its remedy, all in one transaction; the answer is the exception."""
    races.retry_on_race(
        _reader(table, order_id),
        lambda order: _resolve(table, order, exception_id, resolution, by),
        f"order {order_id}",
    )
    found = order_exceptions.get(table, order_id, exception_id)
    return found or {"id": exception_id, "order_id": order_id, "status": "resolved"}


def _open_entry(order: Item, exception_id: str) -> tuple[int, dict[str, Any]]:
    """Where the exception stands in the order's list, and its entry there; refused unless it is open."""
    index = index_of(order, exception_id)
    if index is None:
        raise NotFound(f"No exception {exception_id} on order {order['id']}.", code="exception_not_found")
    entry: dict[str, Any] = order["exceptions"][index]
    if entry.get("status") != OPEN:
        raise Conflict(
            f"Exception {exception_id} is already {entry.get('status')}.", code="exception_not_open"
        )
    return index, entry


def _resolve(table: Table, order: Item, exception_id: str, resolution: Resolution, by: str) -> None:
    index, entry = _open_entry(order, exception_id)
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
    writes = list(effect.writes)
    if has_item:
        writes.append(order_exceptions.resolve_item(order["id"], exception_id, outcome, by))
    others = [e for i, e in enumerate(order.get("exceptions", [])) if i != index]
    resume = order["status"] == Status.on_hold and holds_fulfilment([entry]) and not holds_fulfilment(others)
    note = {"exception_id": exception_id, "action": resolution.action.value}
    try:
        if resume:
            moves.apply(
                table,
                moves.ORDER,
                order,
                Move.resume.value,
                by=by,
                set_fields=resume_fields(order),
                patch=patch,
                also=writes,
                note=note,
            )
        else:
            entry_note = {"at": clock.now_iso(), "type": "exception_resolved", "by": by, **note}
            commit(table, moves.edit(moves.ORDER, order, patch, entry_note), *writes)
    except Cancelled as cancelled:
        raise _refusal(cancelled, effect, order["id"]) from cancelled
    for announce in effect.after:
        announce()
    resolved = OrderExceptionResolved.of(order, {**entry, "id": exception_id}, resolution.action.value)
    events.publish(resolved, f"{exception_id}:resolved")


def _refusal(cancelled: Cancelled, effect: Effect, order_id: str) -> Exception:
    """Why the remedy was refused: the order changed (read it again), or one of the remedy's own writes
    found what it may not overwrite (stock short, a tracking number or a coupon code taken)."""
    if cancelled.failed_on(moves.ORDER.name):
        return LostRace(order_id)
    for name, refusal in effect.refusals.items():
        if cancelled.failed_on(name):
            return refusal()
    return LostRace(order_id)  # resolved by someone else meanwhile: read again


def resume_fields(order: Item) -> dict[str, Any]:
    """Back into the pick list where it was (its queue key was kept while it was on hold)."""
    return {"queue": FULFILL_QUEUE} if order.get("queue_key") else {}
