"""An exchange approved (by the rules or by staff, through ``returns.approve``): the replacement order is
placed with its stock reserved in the transaction that approves the return, so neither happens alone; and
withdrawn when its return ends without a parcel (the buyer cancels it, or it lapses).

The replacement waits for the price difference when the buyer owes one (a payment due by its own time,
``release-unpaid`` cancels the exchange after it), and for the return parcel's first carrier scan unless
the instant-refund policy trusts the buyer with the goods' worth.
"""

from __future__ import annotations

from typing import Any

from oms import clock, events, ids
from oms.domain import exchanges as rules
from oms.domain.instant_refund import InstantRefundPolicy
from oms.domain.order_exceptions import default_deadline
from oms.domain.order_status import Status
from oms.event_catalogue import ExchangeUpdated, OrderException
from oms.lifecycle import cancellation
from oms.problems import Conflict
from oms.store import instant_refunds, moves, order_exceptions, orders
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, commit


def replacement_lines(exchange: Item) -> list[Item]:
    """One order line per replacement SKU, however many exchange lines ask for it."""
    lines: dict[str, Item] = {}
    for line in exchange["lines"]:
        sku = line["replacement_sku"]
        if sku in lines:
            lines[sku]["quantity"] += int(line["quantity"])
            continue
        lines[sku] = {
            "sku": sku,
            "name": line["replacement_name"],
            "category": line["category"],
            "flags": line.get("flags", []),
            "quantity": int(line["quantity"]),
            "capped": bool(line.get("capped")),
        }
    return list(lines.values())


def _terms(table: Table, item: Item, trust: InstantRefundPolicy) -> tuple[orders.ReplacementTerms, Item]:
    """What the replacement waits for, and what the return records of it."""
    exchange = item["exchange"]
    owed = max(int(exchange["difference"]), 0)
    due = clock.iso(rules.balance_due_at(clock.now())) if owed else None
    at_risk = sum(int(line["credit"]) for line in exchange["lines"])
    record = instant_refunds.buyer_record(table, item["customer_id"], item["id"])
    ships_now = rules.ships_at_once(trust, record, at_risk)
    recorded: dict[str, Any] = {
        "replacement_order_id": orders.replacement_id(item["order_id"], item["id"]),
        "ships": "at_approval" if ships_now else "at_first_scan",
        "state": "approved",
    }
    if due:
        recorded["payment_due_at"] = due
    if ships_now:
        recorded["released_at"] = clock.now_iso()
    return orders.ReplacementTerms(owed, due, ships_now), recorded


def approve(table: Table, item: Item, fields: Item, *, by: str, trust: InstantRefundPolicy) -> Item:
    """Approve the exchange ``item`` with the return's approval ``fields``; reserve its replacement."""
    order = orders.get_for(table, item["order_id"], None)
    terms, recorded = _terms(table, item, trust)
    exchange = {**item["exchange"], **recorded}
    write, approved = moves.move(
        moves.RETURN,
        item,
        "approve",
        by=by,
        set_fields={**fields, "exchange": exchange},
        remove=("queue", "queue_key"),
    )
    try:
        orders.place_replacement(table, order, replacement_lines(exchange), item["id"], terms, [write])
    except Cancelled as cancelled:
        raise moves.LostRace(item["id"]) from cancelled
    events.publish(ExchangeUpdated.of(approved, "approved"), f"{item['id']}:exchange_approved")
    return approved


# A replacement not yet handed to a carrier (unpaid, held for review, waiting to be picked or on hold).
WITHDRAWABLE = frozenset(
    {Status.pending_payment, Status.under_review, Status.awaiting_fulfillment, Status.on_hold}
)


def _open_unreturned(table: Table, item: Item, by: str) -> None:
    """Open the order's exception for an exchange whose goods never came back, once (its id is the
    return's): before the return lapses, so a retried lapse finds it open and goes on."""
    order = orders.get_for(table, item["order_id"], None)
    exception = order_exceptions.new_exception(
        order,
        ids.derived_id("exc", item["id"], rules.UNRETURNED_KIND),
        rules.UNRETURNED_KIND,
        by=by,
        source="returns",
        owner=rules.UNRETURNED_OWNER,
        deadline=clock.iso(default_deadline(clock.now())),
        detail={"return_id": item["id"], "replacement_order_id": item["exchange"]["replacement_order_id"]},
    )
    try:
        commit(table, *order_exceptions.open_writes(order, exception))
    except Cancelled as cancelled:
        if cancelled.failed_on(order_exceptions.EXCEPTION):
            return  # opened by a run that died before the return lapsed
        raise moves.LostRace(order["id"]) from cancelled
    events.publish(OrderException.opened(order, exception), f"{exception['id']}:opened")


def withdraw(table: Table, item: Item, by: str, *, strict: bool = True) -> dict[str, Any]:
    """The return of a live exchange ends before its parcel came back: cancel the replacement (its stock
    back, a paid difference refunded) before the return moves, so a retry of a run that died in between
    finds it cancelled. The fields the return's move records; 409 ``exchange_shipped`` (``strict``) when
    the replacement already left."""
    exchange = item.get("exchange") or {}
    if exchange.get("state") not in rules.LIVE_STATES:
        return {}
    replacement = orders.get(table, exchange["replacement_order_id"])
    if replacement is not None and replacement["status"] in WITHDRAWABLE:
        cancellation.cancel(table, replacement, by=by, reason="exchange_withdrawn")
    elif replacement is not None and replacement["status"] != Status.cancelled:
        if strict:
            raise Conflict(
                "The replacement has been shipped: the goods must come back.", code="exchange_shipped"
            )
        # Lapsed with the replacement sent to a trusted buyer: staff follow it up (an exception on the order).
        _open_unreturned(table, item, by)
        return {"exchange": {**exchange, "state": "unreturned", "unreturned_at": clock.now_iso()}}
    return {"exchange": {**exchange, "state": "cancelled", "cancelled_at": clock.now_iso()}}
