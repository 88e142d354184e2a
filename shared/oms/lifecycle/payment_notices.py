"""A provider's verified notice applied through the payment use cases: the event recorded once in the
transaction of its change, amounts checked against the order, late payments refunded (:mod:`payments`).

Unlike our own webhook, a provider's notice about an order we do not have, or with an amount that is not
the order's, is refused (404 ``order_not_found``, 422 ``amount_mismatch``) and changes nothing: the
providers ask merchants to check both, and their retries give staff time to look.
"""

from __future__ import annotations

from oms import clock, events, ids
from oms.domain.order_exceptions import default_deadline
from oms.domain.payments import PaymentOutcome, decide_payment
from oms.event_catalogue import OrderException
from oms.lifecycle import payments
from oms.problems import NotFound, Problem
from oms.providers.notices import DisputeNotice, Meaning, OtherNotice, PaymentNotice
from oms.store import order_exceptions, orders, payment_claims, races, receipts
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled, Write, commit

DISPUTE_KIND = "payment_dispute"
DISPUTE_OWNER = "finance"


class AmountMismatch(Problem):
    """A capture whose amount or currency differs from the order's total."""

    status = 422
    code = "amount_mismatch"
    title = "The amount is not the order's"


def _order_not_found(order_id: str) -> NotFound:
    return NotFound(f"No order {order_id!r}.", code="order_not_found")


def _order(table: Table, order_id: str) -> Item:
    order = orders.get(table, order_id) if ids.is_id(order_id, "ord") else None
    if order is None:
        raise _order_not_found(order_id)
    return order


def apply(table: Table, meaning: Meaning) -> str:
    """Apply a verified notice; the answer says what happened (``duplicate`` for a repeat)."""
    if isinstance(meaning, PaymentNotice):
        return _payment(table, meaning)
    if isinstance(meaning, DisputeNotice):
        return _dispute(table, meaning)
    return _record_only(table, meaning)


def _payment(table: Table, notice: PaymentNotice) -> str:
    order = _order(table, notice.order_id)
    if notice.kind == "payment.succeeded":
        decided = decide_payment(order, notice.payment_id, notice.amount, notice.currency)
        if decided is PaymentOutcome.mismatch:
            total = order["totals"]
            raise AmountMismatch(
                f"Paid {notice.amount} {notice.currency}; the order's total is {total['total']} {total['currency']}.",
                extra={"paid": notice.amount, "expected": total["total"], "currency": total["currency"]},
            )
    event = payments.PaymentEvent(
        event_id=notice.event_id,
        type=notice.kind,
        order_id=notice.order_id,
        payment_id=notice.payment_id,
        refund_id=notice.refund_id,
        amount=notice.amount,
        currency=notice.currency,
        occurred_at=notice.occurred_at,
    )
    return payments.handle(table, event)


def _record_only(table: Table, notice: OtherNotice) -> str:
    try:
        commit(table, receipts.record("payments", notice.event_id))
    except Cancelled as cancelled:
        if cancelled.failed_on(receipts.RECEIPT):
            return "duplicate"
        raise
    return "ignored"


def _dispute(table: Table, notice: DisputeNotice) -> str:
    """A chargeback opens an exception owned by finance, due when the provider wants the evidence."""
    order_id = payment_claims.owner(table, notice.payment_id)
    if order_id is None:
        raise _order_not_found(notice.payment_id)
    receipt = receipts.record("payments", notice.event_id)

    def attempt() -> str:
        order = _order(table, order_id)
        return _open_dispute(table, order, notice, receipt)

    return races.retry(attempt, f"dispute {notice.dispute_id} on order {order_id}")


def _open_dispute(table: Table, order: Item, notice: DisputeNotice, receipt: Write) -> str:
    due = notice.evidence_due_by or default_deadline(clock.now())
    exception = order_exceptions.new_exception(
        order,
        ids.derived_id("exc", order["id"], notice.dispute_id),
        DISPUTE_KIND,
        by=payments.ACTOR,
        source="payments",
        owner=DISPUTE_OWNER,
        deadline=clock.iso(due),
        detail={
            "dispute_id": notice.dispute_id,
            "payment_id": notice.payment_id,
            "amount": notice.amount,
            "currency": notice.currency,
            "reason": notice.reason,
        },
    )
    entry = {"at": clock.now_iso(), "type": "payment_disputed", "by": payments.ACTOR, "amount": notice.amount}
    try:
        commit(table, receipt, *order_exceptions.open_writes(order, exception, entry))
    except Cancelled as cancelled:
        return payments.duplicate_or_lost_race(cancelled, order["id"])
    events.publish(OrderException.opened(order, exception), f"{exception['id']}:opened")
    return "dispute_opened"
