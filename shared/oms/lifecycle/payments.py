"""Payment events from the provider: capture, mismatch, late or double payment, failure, refund results."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from oms import clock, events, ids
from oms.config import require, settings
from oms.domain import presale
from oms.domain.catalog import CURRENCY_PATTERN
from oms.domain.handling import pick_key, review_deadline, review_reasons
from oms.domain.order_exceptions import default_deadline
from oms.domain.order_status import Move
from oms.domain.payments import PaymentOutcome, decide_payment
from oms.event_catalogue import DepositPaid, OrderEdited, OrderException, OrderPaid, PaymentFailed
from oms.lifecycle import refunding
from oms.store import (
    catalog,
    moves,
    order_edits,
    order_exceptions,
    orders,
    payment_claims,
    races,
    receipts,
    refunds,
)
from oms.store.moves import LostRace
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, Write, commit

require("LARGE_ORDER_THRESHOLD", "REVIEW_SLA_HOURS", by=__name__)

ACTOR = "payments"
REVIEW_SLA = "review_sla"


class PaymentEvent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(min_length=1, max_length=128)
    type: Literal["payment.succeeded", "payment.failed", "refund.succeeded", "refund.failed"]
    order_id: str = Field(pattern=r"^ord_[0-9a-z]{20}$")
    payment_id: str = Field(min_length=1, max_length=128)
    refund_id: str | None = Field(None, max_length=128)
    amount: StrictInt = Field(ge=0)
    currency: str = Field(pattern=CURRENCY_PATTERN)
    occurred_at: datetime


def _capture(table: Table, order: Item, event: PaymentEvent, receipt: Write) -> str:
    claim = payment_claims.claim(event.payment_id, order["id"])
    paid_at = clock.now_iso()
    flags = [line.get("flags", []) for line in order["lines"]]
    reasons = review_reasons(flags, order["totals"]["total"], settings().large_order_threshold)
    # A presale's balance adds to its deposit; any other order is paid at once.
    fields: dict[str, Any] = {
        "captured": int(order.get("captured", 0)) + event.amount,
        "refundable": int(order.get("refundable", 0)) + event.amount,
        "paid_at": paid_at,
        "payment_id": event.payment_id,
    }
    if reasons:
        deadline = clock.iso(review_deadline(clock.now(), settings().review_sla_hours))
        fields.update(
            review_reasons=reasons,
            review_due_at=deadline,
            queue="REVIEW",
            queue_key=f"{deadline}#{order['id']}",
            timer_kind=REVIEW_SLA,
            due_at=deadline,
        )
        moves.apply(
            table,
            moves.ORDER,
            order,
            Move.hold_for_review.value,
            by=ACTOR,
            set_fields=fields,
            also=[receipt, claim],
        )
        outcome = "held_for_review"
    else:
        profile = catalog.get_customer(table, order["customer_id"]) or {}
        # An exchange's replacement waiting for the return parcel is picked once the carrier has it.
        if not order.get(orders.AWAITS_PARCEL):
            fields.update(fulfillment_fields(order, profile.get("tier") == "vip", paid_at))
        moves.apply(
            table,
            moves.ORDER,
            order,
            Move.pay.value,
            by=ACTOR,
            set_fields=fields,
            remove=("timer_kind", "due_at"),
            also=[receipt, claim],
        )
        outcome = "paid"
    paid = OrderPaid(
        order_id=order["id"], customer_id=order["customer_id"], amount=event.amount, review=reasons
    )
    events.publish(paid, f"{order['id']}:paid")
    return outcome


def _capture_deposit(table: Table, order: Item, event: PaymentEvent, receipt: Write) -> str:
    """A presale's deposit: the order waits for its balance, its next deadline the window's opening."""
    claim = payment_claims.claim(event.payment_id, order["id"])
    kind, due = presale.next_balance_timer(order["payment_plan"], clock.now())
    fields = {
        "captured": event.amount,
        "refundable": event.amount,
        "deposit_paid_at": clock.now_iso(),
        "deposit_payment_id": event.payment_id,
        "timer_kind": kind,
        "due_at": clock.iso(due),
    }
    moves.apply(
        table, moves.ORDER, order, Move.pay_deposit.value, by=ACTOR, set_fields=fields, also=[receipt, claim]
    )
    plan = order["payment_plan"]
    paid = DepositPaid(
        order_id=order["id"],
        customer_id=order["customer_id"],
        amount=event.amount,
        balance=int(plan["balance"]),
        balance_opens_at=str(plan["balance_opens_at"]),
        balance_closes_at=str(plan["balance_closes_at"]),
    )
    events.publish(paid, f"{order['id']}:deposit_paid")
    return "deposit_paid"


def fulfillment_fields(order: Item, vip: bool, paid_at: str) -> dict[str, Any]:
    perishable = any("perishable" in line.get("flags", []) for line in order["lines"])
    return {
        "queue": "FULFILL",
        "queue_key": pick_key(perishable=perishable, vip=vip, paid_at=paid_at, order_id=order["id"]),
        "vip": vip,
        "perishable": perishable,
    }


def back_in_queue(table: Table, order: Item) -> dict[str, Any]:
    """An order returning to the pick queue keeps its place: first paid, first served, by its payment."""
    profile = catalog.get_customer(table, order["customer_id"]) or {}
    return fulfillment_fields(order, profile.get("tier") == "vip", order.get("paid_at") or clock.now_iso())


def _pays_pending_edit(order: Item, event: PaymentEvent) -> bool:
    pending = order.get("pending_edit")
    return bool(
        pending
        and event.amount == pending["balance"]
        and event.currency == order["totals"]["currency"]
        and event.payment_id != order.get("payment_id")
    )


def _capture_balance(table: Table, order: Item, event: PaymentEvent, receipt: Write) -> str:
    """The balance of an edit waiting for it: the edit applies and the money is captured, at once."""
    claim = payment_claims.claim(event.payment_id, order["id"])
    writes, _ = order_edits.balance_paid(
        order, event.payment_id, event.amount, back_in_queue(table, order), ACTOR
    )
    commit(table, receipt, claim, *writes)
    pending = order["pending_edit"]
    events.publish(OrderEdited.of(order, pending, "balance_paid"), f"{pending['id']}:balance_paid")
    return "edit_balance_paid"


def _refund_unwanted(table: Table, order: Item, event: PaymentEvent, receipt: Write) -> str:
    """Money for an order that cannot take it (cancelled, already paid): captured and refunded at once."""
    refund_id = ids.derived_id("ref", order["id"], event.payment_id)
    item = refunds.refund_item(
        order, refund_id, event.amount, "late_payment" if order["status"] == "cancelled" else "double_payment"
    )
    item["payment_id"] = event.payment_id
    entry = {
        "at": clock.now_iso(),
        "type": "payment_refunded_automatically",
        "by": ACTOR,
        "amount": event.amount,
        "payment_id": event.payment_id,
    }
    commit(
        table,
        receipt,
        orders.note(order["id"], entry, add={"captured": event.amount, "refunded": event.amount}),
        refunds.put_new(item),
    )
    refunds.announce(item)
    return "refunded"


def _mismatch(table: Table, order: Item, event: PaymentEvent, receipt: Write) -> str:
    """Money that does not match the order opens an exception for staff (with owner and deadline)."""
    exception = order_exceptions.new_exception(
        order,
        ids.derived_id("exc", order["id"], event.event_id),
        "payment_mismatch",
        by=ACTOR,
        source="payments",
        deadline=clock.iso(default_deadline(clock.now())),
        detail={
            "paid": event.amount,
            "currency": event.currency,
            "expected": order["totals"]["total"],
            "payment_id": event.payment_id,
        },
    )
    entry = {"at": clock.now_iso(), "type": "payment_mismatch", "by": ACTOR, "amount": event.amount}
    commit(table, receipt, *order_exceptions.open_writes(order, exception, entry))
    events.publish(OrderException.opened(order, exception), f"{exception['id']}:opened")
    return "mismatch"


def duplicate_or_lost_race(cancelled: Cancelled, order_id: str) -> str:
    """A payment event's refused transaction: ``duplicate`` when its receipt was there already; when the
    order (or a claim, a refund) changed meanwhile, e.g. release-unpaid, a lost race: decide again."""
    if cancelled.failed_on(receipts.RECEIPT):
        return "duplicate"
    if cancelled.failed:
        raise LostRace(order_id) from cancelled
    raise cancelled


def handle(table: Table, event: PaymentEvent) -> str:
    """Apply one provider event; the answer says what happened (``duplicate`` for a repeat)."""
    receipt = receipts.record("payments", event.event_id)

    def attempt() -> str:
        order = orders.get(table, event.order_id)
        if order is None:
            return "unknown_order"
        try:
            return _apply(table, order, event, receipt)
        except Cancelled as cancelled:
            return duplicate_or_lost_race(cancelled, order["id"])

    return races.retry(attempt, f"payment event {event.event_id} on order {event.order_id}")


def _claimed_elsewhere(table: Table, order: Item, event: PaymentEvent, receipt: Write) -> str:
    """A payment id another order was paid with: recorded on this order for staff, never credited."""
    entry = {
        "at": clock.now_iso(),
        "type": "payment_id_in_use",
        "by": ACTOR,
        "payment_id": event.payment_id,
        "amount": event.amount,
    }
    commit(table, receipt, orders.note(order["id"], entry))
    return "payment_id_in_use"


def _apply(table: Table, order: Item, event: PaymentEvent, receipt: Write) -> str:
    if event.type == "payment.succeeded" and payment_claims.owner(table, event.payment_id) not in (
        None,
        order["id"],
    ):
        return _claimed_elsewhere(table, order, event, receipt)
    if event.type == "payment.succeeded" and _pays_pending_edit(order, event):
        return _capture_balance(table, order, event, receipt)
    if event.type == "payment.succeeded":
        outcome = decide_payment(order, event.payment_id, event.amount, event.currency)
        if outcome is PaymentOutcome.capture:
            return _capture(table, order, event, receipt)
        if outcome is PaymentOutcome.deposit:
            return _capture_deposit(table, order, event, receipt)
        if outcome is PaymentOutcome.mismatch:
            return _mismatch(table, order, event, receipt)
        if outcome is PaymentOutcome.refund:
            return _refund_unwanted(table, order, event, receipt)
        commit(table, receipt)
        return str(outcome.value)
    if event.type == "payment.failed":
        entry = {"at": clock.now_iso(), "type": "payment_failed", "by": ACTOR, "payment_id": event.payment_id}
        commit(table, receipt, orders.note(order["id"], entry))
        if order["status"] == "pending_payment":
            failed = PaymentFailed(
                order_id=order["id"],
                customer_id=order["customer_id"],
                payment_due_at=order.get("payment_due_at"),
            )
            events.publish(failed, f"{order['id']}:{event.event_id}")
        return "payment_failed"
    # refund.succeeded / refund.failed: settling is itself conditional (once), so it goes first and a
    # crash before the receipt only means the repeat finds the refund settled.
    settled = bool(event.refund_id) and refunds.settle(
        table, order["id"], str(event.refund_id), event.type == "refund.succeeded", event.payment_id
    )
    if event.refund_id and event.type == "refund.failed":
        # Also when the failure was recorded by a run that died before its new attempt: it is owed still,
        # and asking again is once (a derived id; nothing when the refund is not failed).
        refunding.retry_or_escalate(table, order["id"], str(event.refund_id))
    try:
        commit(table, receipt)
    except Cancelled:
        return "duplicate"
    return "refund_settled" if settled else "ignored"
