"""The buyer corrects the shipping address before anything ships (地址不详).

The address is checked like at checkout (every missing field named). Open ``address_incomplete``
exceptions are settled with it, and an order on hold only for them resumes into the fulfilment queue,
in the same write.
"""

from __future__ import annotations

from oms import clock, events
from oms.domain.address import Address, address_problems
from oms.domain.order_exceptions import OPEN, ExceptionKind, holds_fulfilment
from oms.domain.order_status import Move, Status
from oms.event_catalogue import OrderExceptionResolved
from oms.lifecycle.order_exceptions import resume_fields
from oms.problems import Conflict, ValidationProblem
from oms.store import moves, order_exceptions
from oms.store.moves import LostRace
from oms.store.patches import EMPTY, Patch
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, Write, commit

CHANGEABLE = frozenset(
    {Status.pending_payment, Status.under_review, Status.awaiting_fulfillment, Status.on_hold}
)


def check(address: Address) -> None:
    problems = address_problems(address)
    if problems:
        raise ValidationProblem(
            "The address is incomplete; see errors.", code="address_incomplete", errors=problems
        )


def _refuse_once_shipped(order: Item) -> None:
    if order["status"] not in CHANGEABLE:
        raise Conflict(
            "The order has shipped; the address can no longer be changed.",
            code="order_already_shipped",
            extra={"current_status": order["status"]},
        )


def _settled_by_address(order: Item) -> list[tuple[int, Item]]:
    """The open ``address_incomplete`` exceptions of ``order`` (with their places in its list)."""
    return [
        (i, e)
        for i, e in enumerate(order.get("exceptions", []))
        if e.get("status") == OPEN and e.get("kind") == ExceptionKind.address_incomplete
    ]


def _settle(table: Table, order: Item, settled: list[tuple[int, Item]], by: str) -> tuple[Patch, list[Item]]:
    """The order's patch resolving ``settled``, and the writes resolving their own items where they exist."""
    outcome = {"action": "address_corrected", "by": by, "at": clock.now_iso()}
    patch: Patch = EMPTY
    ops: list[Write] = []
    for i, e in settled:
        patch = patch + order_exceptions.resolve_patch(i, e["id"], outcome)
        if order_exceptions.get(table, order["id"], e["id"]) is not None:
            ops.append(order_exceptions.resolve_item(order["id"], e["id"], outcome, by))
    return patch, ops


def _write_address(
    table: Table, order: Item, address: Address, settled: list[tuple[int, Item]], by: str
) -> Item:
    """Writes the address and settles ``settled``, resuming the order if nothing else holds it."""
    patch, ops = _settle(table, order, settled, by)
    fields = {
        "shipping_address": address.model_dump(mode="json", exclude_none=True),
        "address_changed_at": clock.now_iso(),
    }
    still_held = holds_fulfilment(
        e for i, e in enumerate(order.get("exceptions", [])) if i not in dict(settled)
    )
    note = {"settled": [e["id"] for _, e in settled]}
    try:
        if order["status"] == Status.on_hold and settled and not still_held:
            return moves.apply(
                table,
                moves.ORDER,
                order,
                Move.resume.value,
                by=by,
                set_fields={**fields, **resume_fields(order)},
                patch=patch,
                also=ops,
                note={"reason": "address_corrected", **note},
            )
        address_patch = Patch(
            sets=("shipping_address = :a_address", "address_changed_at = :a_at"),
            values={"a_address": fields["shipping_address"], "a_at": fields["address_changed_at"]},
        )
        entry = {"at": clock.now_iso(), "type": "address_changed", "by": by, **note}
        commit(table, moves.edit(moves.ORDER, order, patch + address_patch, entry), *ops)
        return {**order, **fields, "version": order["version"] + 1}
    except Cancelled as cancelled:
        raise LostRace(order["id"]) from cancelled


def change_address(table: Table, order: Item, address: Address, by: str) -> Item:
    """Replace the address of ``order`` as read; raises LostRace if it moved meanwhile."""
    check(address)
    _refuse_once_shipped(order)
    settled = _settled_by_address(order)
    changed = _write_address(table, order, address, settled, by)
    for _, e in settled:
        events.publish(OrderExceptionResolved.of(order, e, "address_corrected"), f"{e['id']}:resolved")
    return changed
