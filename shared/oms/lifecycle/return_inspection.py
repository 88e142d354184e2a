"""Inspection of what came back: stock put back, the verdict recorded, then the refund or the close.

The verdict (``domain.returns.inspection_verdict``) is recorded with the return's move and the order's
refunded counts; settling it (a refund started in the same transaction that makes the return wait for
it, or the return closed) follows from what was recorded, so a run that died in between finishes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oms import clock, events, ids
from oms.domain.returns import inspection_verdict, next_return_status
from oms.event_catalogue import ReturnDisputed, ReturnInspected
from oms.lifecycle import exchanges
from oms.lifecycle.instant_refund import paid_instantly, settle_inspected
from oms.lifecycle.returns import announce, restock
from oms.problems import FieldError, ValidationProblem
from oms.store import moves, orders, refunds
from oms.store import returns as store
from oms.store.table import Item, Table

if TYPE_CHECKING:
    from oms.api.return_requests import Inspection


def _check_lines(item: Item, body: Inspection) -> None:
    asked = {i["sku"] for i in item["items"]}
    errors = [
        FieldError(f"items[{n}].sku", "is not in this return")
        for n, line in enumerate(body.items)
        if line.sku not in asked
    ]
    if errors:
        raise ValidationProblem(
            "The inspection does not match the return.", code="invalid_inspection", errors=errors
        )


def inspect(table: Table, item: Item, body: Inspection, by: str) -> Item:
    """Check what came back; resellable goes back to stock, damaged is written off, the rest is disputed."""
    if item["status"] == "inspected":  # a run that died after recording the inspection: settle it
        return _settle(table, item, by)
    # Refuse a move out of turn (a cancelled or refused return) before any stock is put back.
    next_return_status(item["status"], "inspect")
    _check_lines(item, body)
    order = orders.get_for(table, item["order_id"], None)
    asked = {i["sku"]: i["quantity"] for i in item["items"]}
    found = [(line.sku, line.quantity_received, line.condition) for line in body.items]
    # An instant refund already took its amount off what is refundable: the parcel is judged as before it.
    as_before = {**order, "refundable": order.get("refundable", 0) + paid_instantly(item)}
    verdict = inspection_verdict(as_before, asked, found, item["shipping_payer"])
    settled = {"refund_amount": verdict.refund_amount, "refunded_units": verdict.refunded_units}
    if exchanges.live(item):  # the goods were exchanged: only a difference the buyer is owed goes back
        settled = exchanges.inspected_refund(item, order, bool(verdict.disputed))
    restock(table, order, item["id"], verdict.restock, "returned")
    inspection = {
        "items": body.model_dump(mode="json")["items"],
        "notes": body.notes,
        "by": by,
        "at": clock.now_iso(),
        "refund_amount": settled["refund_amount"],
        "disputed": verdict.disputed,
    }
    inspected = moves.apply(
        table,
        moves.RETURN,
        item,
        "inspect",
        by=by,
        set_fields={"inspection": inspection},
        remove=("timer_kind", "due_at", "queue", "queue_key"),
        also=[store.order_lines(order, "return_refunded", settled["refunded_units"], -1)],
    )
    return _settle(table, inspected, by)


def _settle(table: Table, inspected: Item, by: str) -> Item:
    """Close the inspected return, or start its refund: what the recorded inspection says."""
    item = inspected
    refund_amount, disputed = inspected["inspection"]["refund_amount"], inspected["inspection"]["disputed"]
    order = orders.get_for(table, item["order_id"], None)
    if disputed:
        events.publish(ReturnDisputed.about(item, disputed=disputed), f"{item['id']}:disputed")
    if paid_instantly(inspected):
        reckoned = settle_inspected(table, inspected, order, by)
        if reckoned is not None:
            return reckoned
        refund_amount -= paid_instantly(inspected)  # the top-up still owed
    if refund_amount <= 0:
        outcome = {"refund": 0, "disputed": disputed}
        closed = moves.apply(table, moves.RETURN, inspected, "close", by=by, set_fields={"outcome": outcome})
        announce(ReturnInspected, closed)
        return closed
    refund_id = ids.derived_id("ref", item["id"], "return")
    # The return waits for its refund from the same transaction that starts it: neither happens alone.
    waiting, pending = moves.move(
        moves.RETURN,
        inspected,
        "refund",
        by=by,
        set_fields={"refund": {"refund_id": refund_id, "amount": refund_amount}},
    )
    reason = exchanges.REFUND_REASON if exchanges.live(item) else "return"
    refunds.start(table, order, refund_id, refund_amount, reason, by, return_id=item["id"], also=[waiting])
    announce(ReturnInspected, pending)
    return pending
