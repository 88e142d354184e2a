"""Refunds: money goes back only while ``refunded + amount <= captured`` (kept as ``refundable``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from oms import clock, events
from oms.event_catalogue import RefundIssued, RefundRequested
from oms.problems import Conflict
from oms.store import keys, moves, orders
from oms.store.table import ConditionFailed, Item, Table, values
from oms.store.unit_of_work import Cancelled, UnitOfWork, Write, put, update

REFUND = moves.REFUND.name


def refund_item(order: Item, refund_id: str, amount: int, reason: str) -> Item:
    pk, sk = keys.refund(order["id"], refund_id)
    return {
        "pk": pk,
        "sk": sk,
        "id": refund_id,
        "order_id": order["id"],
        "customer_id": order["customer_id"],
        "payment_id": order.get("payment_id", ""),
        "amount": amount,
        "currency": order["totals"]["currency"],
        "reason": reason,
        "status": "pending",
        "requested_at": clock.now_iso(),
        "attempts": 0,
    }


def put_new(item: Item) -> Write:
    """The refund, recorded once (its id says what it pays back)."""
    return put(REFUND, item, condition="attribute_not_exists(sk)")


def _take_off_refundable(order_id: str, amount: int, entry: Item) -> Write:
    return update(
        orders.ORDER,
        keys.order(order_id),
        "SET refunded = refunded + :a, refundable = refundable - :a, timeline = list_append(timeline, :entry)",
        condition="refundable >= :a",
        named_values={"a": amount, "entry": [entry]},
    )


def start(
    table: Table,
    order: Item,
    refund_id: str,
    amount: int,
    reason: str,
    by: str,
    *,
    return_id: str | None = None,
    also: Iterable[Write] = (),
    attempt: int = 1,
) -> Item | None:
    """Take ``amount`` off what is refundable and record the refund, with ``also`` (named writes that
    happen with it or not at all); None when it was started already."""
    item = refund_item(order, refund_id, amount, reason)
    item["attempt"] = attempt
    if return_id:
        item["return_id"] = return_id
    entry = {"at": clock.now_iso(), "type": "refund_requested", "by": by, "amount": amount, "reason": reason}
    work = UnitOfWork(table).add(_take_off_refundable(order["id"], amount, entry), put_new(item)).extend(also)
    try:
        work.commit()
    except Cancelled as cancelled:
        if cancelled.failed_on(REFUND):
            return None
        if cancelled.failed_on(orders.ORDER):
            raise Conflict(
                "That is more than can still be refunded on this order.", code="refund_exceeds_captured"
            ) from cancelled
        raise moves.LostRace(order["id"]) from cancelled  # what goes with the refund changed meanwhile
    announce(item)
    return item


def announce(item: Item) -> None:
    events.publish(RefundRequested.of(item), f"{item['id']}:requested")


def get(table: Table, order_id: str, refund_id: str) -> Item | None:
    return table.get(*keys.refund(order_id, refund_id))


REFUND_CHECK = "refund_check"
# A refund the provider keeps pending this long is asked about (the check-pending-refunds job).
CHECK_AFTER = timedelta(hours=1)


def await_provider(table: Table, refund: Item, provider_ref: str) -> bool:
    """Ask the provider about ``refund`` in an hour unless it is settled first (its answer or its notice).
    False when the refund was settled meanwhile."""
    try:
        table.update(
            refund["pk"],
            refund["sk"],
            "SET timer_kind = :kind, due_at = :due, provider_ref = :ref",  # the provider's id, once known
            condition="#s = :pending",
            names={"#s": "status"},
            expression_values=values(
                kind=REFUND_CHECK,
                due=clock.iso(clock.now() + CHECK_AFTER),
                ref=provider_ref,
                pending="pending",
            ),
        )
    except ConditionFailed:
        return False
    return True


def _settle_writes(refund: Item, succeeded: bool, provider_ref: str | None) -> list[Write]:
    """The refund's move, the order's timeline (and on failure its money back), and the return it pays
    for, refunded in the same transaction as the refund."""
    now = clock.now_iso()
    status = "succeeded" if succeeded else "failed"
    settled, _ = moves.move(
        moves.REFUND,
        refund,
        "succeed" if succeeded else "fail",
        by="payments",
        set_fields={"settled_at": now, "provider_ref": provider_ref or refund.get("provider_ref", "")},
        remove=("timer_kind", "due_at"),
    )
    amount = refund["amount"]
    entry = {"at": now, "type": f"refund_{status}", "by": "payments", "amount": amount}
    writes = [settled, orders.note(refund["order_id"], entry, add=None if succeeded else _given_back(amount))]
    if succeeded and refund.get("return_id"):
        refunded, _ = moves.move(
            moves.RETURN,
            {"id": refund["return_id"], "status": "refund_pending"},
            "refunded",
            by="payments",
            set_fields={"refunded_at": now},
            note={"refund_id": refund["id"]},
        )
        writes.append(refunded)
    return writes


def _given_back(amount: int) -> dict[str, int]:
    return {"refunded": -amount, "refundable": amount}


def settle(
    table: Table, order_id: str, refund_id: str, succeeded: bool, provider_ref: str | None = None
) -> bool:
    """Record the provider's answer once; a failed refund gives the amount back to ``refundable``."""
    refund = get(table, order_id, refund_id)
    if refund is None or refund["status"] != "pending":
        return False
    try:
        UnitOfWork(table).extend(_settle_writes(refund, succeeded, provider_ref)).commit()
    except Cancelled as cancelled:
        if cancelled.failed_on(REFUND):
            return False
        raise
    if succeeded:
        returned = {"return_id": refund["return_id"]} if refund.get("return_id") else {}
        events.publish(
            RefundIssued.of(refund, reason=refund.get("reason"), **returned), f"{refund_id}:succeeded"
        )
    return True
