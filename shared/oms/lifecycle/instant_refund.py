"""Instant refund (极速退款): decided once per return, at its parcel's first carrier scan; reckoned at
inspection (:mod:`oms.domain.instant_refund` has the rules).

The decision is written on the return (``instant_refund``: issued with its refund, or declined with the
reason) in the transaction that starts the refund and adds to the buyer's day, so a repeated scan, a
redelivered tracking event or two scans at once decide it once.
"""

from __future__ import annotations

import contextlib
from typing import Any

from oms import clock, events, ids
from oms.domain import instant_refund as rules
from oms.domain.order_exceptions import default_deadline
from oms.domain.returns import Condition, inspection_verdict
from oms.event_catalogue import OrderException, ReturnInspected
from oms.lifecycle.returns import announce, policy
from oms.problems import Conflict
from oms.store import instant_refunds, moves, order_exceptions, orders, refunds
from oms.store import returns as store
from oms.store.patches import Patch
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, Write, commit

ACTOR = "system:instant-refund"
OWNER = "finance"


def paid_instantly(item: Item) -> int:
    """What an instant refund already paid on this return (0 when none was issued)."""
    decision = item.get("instant_refund") or {}
    return int(decision.get("amount", 0)) if decision.get("status") == "issued" else 0


def _decided(item: Item, decision: dict[str, Any]) -> Write:
    """The return's edit recording ``decision``, once: a return decided already refuses it."""
    patch = Patch(
        sets=("#ir = :ir",),
        conditions=("attribute_not_exists(#ir)",),
        names={"#ir": "instant_refund"},
        values={"ir": decision},
    )
    entry = {"at": decision["at"], "type": f"instant_refund_{decision['status']}", "by": ACTOR}
    if "reason" in decision:
        entry["reason"] = decision["reason"]
    return moves.edit(moves.RETURN, item, patch, entry)


def expected_refund(order: Item, item: Item) -> int:
    """What the parcel earns if everything in it comes back as asked (what inspection would find)."""
    asked = {line["sku"]: line["quantity"] for line in item["items"]}
    found = [(sku, units, Condition.resellable) for sku, units in asked.items()]
    return inspection_verdict(order, asked, found, item["shipping_payer"]).refund_amount


def on_first_scan(table: Table, return_id: str) -> str:
    """The carrier has the parcel: refund a trusted buyer now, or record why it waits for inspection."""
    item = store.get(table, return_id)
    if item is None or item["status"] != "in_transit" or "instant_refund" in item:
        return "decided"
    order = orders.get(table, item["order_id"])
    if order is None:
        return "decided"
    rule = policy().instant_refund
    customer, day, now = order["customer_id"], clock.now().date().isoformat(), clock.now_iso()
    amount = expected_refund(order, item)
    record = instant_refunds.buyer_record(table, customer, return_id)
    code = rules.refusal(rule, record, amount, instant_refunds.refunded_on(table, customer, day))
    try:
        if code:
            commit(table, _decided(item, {"status": "declined", "reason": code, "at": now}))
            return code
        refund_id = ids.derived_id("ref", return_id, "instant")
        decision = {"status": "issued", "refund_id": refund_id, "amount": amount, "at": now}
        day_write = instant_refunds.count_against_day(customer, day, amount, rule.max_amount_per_day)
        refunds.start(
            table,
            order,
            refund_id,
            amount,
            rules.REFUND_REASON,
            ACTOR,
            also=[_decided(item, decision), day_write],
        )
    except (Cancelled, moves.LostRace, Conflict) as lost:
        # Decided meanwhile by another scan; or the day's limit taken by another parcel, or the order's
        # refundable money by another refund: this parcel waits for inspection.
        reason = "nothing_to_refund" if isinstance(lost, Conflict) else "daily_limit_reached"
        again = store.get(table, return_id)
        if again is not None and "instant_refund" not in again and again["status"] == "in_transit":
            with contextlib.suppress(Cancelled):  # decided by the other scan after all
                commit(table, _decided(again, {"status": "declined", "reason": reason, "at": now}))
        return "decided"
    return "issued"


def settle_inspected(table: Table, inspected: Item, order: Item, by: str) -> Item | None:
    """Reckon an instantly refunded return after inspection; None when it owes a top-up refund (the
    caller refunds the difference as for any return)."""
    paid = paid_instantly(inspected)
    inspection = inspected["inspection"]
    reckoning, lowered = rules.reckon(paid, inspection["refund_amount"], bool(inspection["disputed"]))
    if reckoning.top_up and not lowered:
        return None
    outcome = {
        "refund": paid,
        "instant": True,
        "owed": reckoning.owed,
        "shortfall": reckoning.shortfall,
        "disputed": inspection["disputed"],
        "trust_lowered": lowered,
    }
    exception = None
    also = []
    if lowered:
        exception = order_exceptions.new_exception(
            order,
            ids.derived_id("exc", inspected["id"], "instant"),
            rules.DISPUTE_KIND,
            by=by,
            source="returns",
            owner=OWNER,
            deadline=clock.iso(default_deadline(clock.now())),
            detail={"return_id": inspected["id"], "paid": paid, "owed": reckoning.owed},
        )
        also = order_exceptions.open_writes(order, exception)
    closed = moves.apply(
        table, moves.RETURN, inspected, "close", by=by, set_fields={"outcome": outcome}, also=also
    )
    if exception is not None:
        events.publish(OrderException.opened(order, exception), f"{exception['id']}:opened")
    announce(ReturnInspected, closed)
    return closed
