"""``release-unpaid``: orders not paid by their deadline are cancelled and their stock goes back.

Before cancelling, the provider is asked whether the order was paid (its trade query): a payment whose
notice was lost is applied as that notice would have been, and the order is kept. A provider that does not
answer keeps the order for the next run — an order is never cancelled on a question left unanswered.
"""

from __future__ import annotations

from oms import clock, events
from oms.domain.order_status import Move, Status
from oms.event_catalogue import OrderCancelled
from oms.jobs import presale_balances
from oms.lifecycle import exchanges, order_edits, payments
from oms.payments_port import PaymentFound, provider
from oms.providers.http_calls import ProviderUnavailable
from oms.store import moves, orders, timers
from oms.store.moves import LostRace
from oms.store.order_edits import EDIT_BALANCE
from oms.store.orders import PAYMENT_DUE
from oms.store.table import Item, Table
from oms.store.unit_of_work import Cancelled

ACTOR = "system:release-unpaid"


def _paid_after_all(table: Table, order: Item, found: PaymentFound) -> str:
    """Apply the payment the provider knows of, as its lost notice would have been (once)."""
    event = payments.PaymentEvent(
        event_id=f"query:{order['id']}:{found.payment_id}",
        type="payment.succeeded",
        order_id=order["id"],
        payment_id=found.payment_id,
        amount=found.amount,
        currency=found.currency,
        occurred_at=clock.now(),
    )
    return payments.handle(table, event)


def run(table: Table) -> dict[str, int]:
    released = skipped = found_paid = unanswered = 0
    asking = provider(table)
    for pk, sk in timers.due(table, PAYMENT_DUE):
        order = table.get(pk, sk)
        # The index is eventually consistent: trust only the order as read now.
        if (
            not order
            or order["status"] != Status.pending_payment
            or order.get("due_at", "") > clock.now_iso()
        ):
            skipped += 1
            continue
        try:
            found = asking.find_payment(order)
        except ProviderUnavailable:
            unanswered += 1
            continue
        if found is not None:
            _paid_after_all(table, order, found)
            found_paid += 1
            continue
        # An exchange's replacement: its exchange is cancelled with it.
        exchange_writes, exchange = exchanges.cancel_unpaid(table, order)
        try:
            moves.apply(
                table,
                moves.ORDER,
                order,
                Move.expire.value,
                by=ACTOR,
                set_fields={"cancelled_at": clock.now_iso(), "cancel_reason": "payment_timeout"},
                remove=("timer_kind", "due_at"),
                also=[*orders.release_all(order), *exchange_writes],
            )
        except (LostRace, Cancelled):
            skipped += 1  # paid or cancelled meanwhile, or its return moved: decided on the next run
            continue
        if exchange is not None:
            exchanges.announce_cancelled(exchange)
        expired = OrderCancelled(
            order_id=order["id"], customer_id=order["customer_id"], reason="payment_timeout"
        )
        events.publish(expired, f"{order['id']}:cancelled")
        released += 1
    lapsed = _lapse_unpaid_edits(table)
    return {
        "released": released,
        "skipped": skipped,
        "found_paid": found_paid,
        "unanswered": unanswered,
        "edits_lapsed": lapsed,
        **presale_balances.run(table),
    }


def _lapse_unpaid_edits(table: Table) -> int:
    """Edits whose balance was not paid in time are dropped: what they held goes back."""
    lapsed = 0
    for pk, sk in timers.due(table, EDIT_BALANCE):
        order = table.get(pk, sk)
        pending = (order or {}).get("pending_edit")
        if not order or not pending or pending["due_at"] > clock.now_iso():
            continue
        try:
            order_edits.lapse(table, order, ACTOR)
        except (LostRace, Cancelled):
            continue  # paid or changed meanwhile: the next run decides on it as it is then
        lapsed += 1
    return lapsed
