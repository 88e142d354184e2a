"""Order edits before shipment (the rules: :mod:`oms.domain.order_edits`; the writes:
:mod:`oms.store.order_edits`).

An edit's id is derived from the request's idempotency key, so a retried request finds its edit done and
answers as the first did (a refund the first run did not get to is started then, once: its id is derived
from the edit's).
"""

from __future__ import annotations

from typing import Any

from oms import clock, events, ids
from oms.domain.order_edits import EditPlan, OrderEditRequest, balance_due_at, plan_edit, settlement
from oms.event_catalogue import OrderEdited
from oms.lifecycle.payments import back_in_queue
from oms.problems import Conflict
from oms.store import order_edits as store
from oms.store import orders, refunds, snapshot
from oms.store.table import Item, Table
from oms.store.unit_of_work import commit as commit_writes

REFUND_REASON = "order_edit"


def _plan(table: Table, order: Item, request: OrderEditRequest) -> tuple[EditPlan, dict[str, bool]]:
    skus = sorted({line.sku for line in request.lines} | {line["sku"] for line in order["lines"]})
    seen = snapshot.read(table, skus, order["channel"], order.get("coupon_code"), order["customer_id"])
    available = {sku: levels.available_for(order["channel"]) for sku, levels in seen.stock.items()}
    plan = plan_edit(
        order, request, products=seen.products, available=available, coupon=seen.coupon, now=clock.now()
    )
    capped = {sku: order["channel"] in levels.channels for sku, levels in seen.stock.items()}
    return plan, capped


def _paid(order: Item) -> bool:
    return int(order.get("captured", 0)) > 0


def preview(table: Table, order: Item, request: OrderEditRequest) -> dict[str, Any]:
    """What the edit would make of the order and what it would cost; nothing is written."""
    plan, _ = _plan(table, order, request)
    paid = _paid(order)
    how = settlement(plan, paid)
    return {
        "order_id": order["id"],
        "items": [line.model_dump(mode="json") for line in plan.lines],
        "totals": plan.totals.model_dump(mode="json"),
        "previous_total": plan.previous_total,
        "difference": plan.difference,
        "coupon": plan.coupon,
        "added": plan.added,
        "removed": plan.removed,
        "settlement": how,
        "refund": -plan.difference if paid and plan.difference < 0 else 0,
        "balance": plan.difference if how == "balance" else 0,
        "balance_due_at": clock.iso(balance_due_at(clock.now())) if how == "balance" else None,
    }


def _done(order: Item, edit_id: str) -> Item | None:
    return next((e for e in order.get("edits", []) if e["id"] == edit_id), None)


def _refund_difference(table: Table, order: Item, edit: Item, by: str) -> None:
    # Never more than is still refundable (a goodwill refund before the edit may have paid part of it).
    amount = min(-edit["difference"], int(order.get("refundable", 0)))
    if edit["state"] == "applied" and amount > 0 and _paid(order):
        refunds.start(table, order, ids.derived_id("ref", edit["id"]), amount, REFUND_REASON, by)


def commit(table: Table, order: Item, request: OrderEditRequest, edit_id: str, by: str) -> tuple[Item, Item]:
    """Apply the edit (a lower total refunded), or hold it for its balance; (order, edit) as they are now."""
    done = _done(order, edit_id)
    if done is not None:
        if done.get("request_hash", request.fingerprint()) != request.fingerprint():
            raise Conflict("This Idempotency-Key was used with another edit.", code="idempotency_key_reused")
        _refund_difference(table, order, done, by)
        return order, done
    plan, capped = _plan(table, order, request)
    if request.expected_total is not None and request.expected_total != plan.totals.total:
        raise Conflict(
            "The edited total is not the one shown: preview the edit again.",
            code="edit_total_changed",
            extra={"total": plan.totals.total},
        )
    decided = store.Edit(edit_id, plan, capped, by, request.note, request.fingerprint())
    if settlement(plan, _paid(order)) == "balance":
        due = clock.iso(balance_due_at(clock.now()))
        edited = store.hold_for_balance(table, order, decided, due)
        pending: Item = edited["pending_edit"]
        events.publish(OrderEdited.of(edited, pending, "awaiting_balance"), f"{edit_id}:awaiting_balance")
        return edited, pending
    edited = store.apply(table, order, decided)
    edit = _done(edited, edit_id)
    assert edit is not None
    _refund_difference(table, edited, edit, by)
    events.publish(OrderEdited.of(edited, edit, "applied"), f"{edit_id}:applied")
    return edited, edit


def lapse(table: Table, order: Item, by: str) -> Item:
    """The balance was not paid in time: the edit is dropped and what it held goes back."""
    edit_id = order["pending_edit"]["id"]
    commit_writes(table, *store.lapse(order, back_in_queue(table, order), by))
    lapsed = orders.get(table, order["id"]) or order
    edit = _done(lapsed, edit_id) or {"id": edit_id, "total": order["totals"]["total"], "difference": 0}
    events.publish(OrderEdited.of(lapsed, edit, "lapsed"), f"{edit_id}:lapsed")
    return lapsed
